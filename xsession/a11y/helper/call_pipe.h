// Pipelined D-Bus calls on the accessibility bus. libatspi makes one blocking
// round trip per property; a tree walk of a few hundred elements is thousands
// of round trips, each waiting for the application to be scheduled. CallPipe
// keeps up to `window` calls in flight at once (to any number of
// applications) and runs their replies' continuations on a private GLib main
// context, so a walk costs the applications' processing time rather than the
// sum of the latencies.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace deskbox::a11y {

// An AT-SPI object reference: the owning connection's bus name and object path.
struct ObjRef {
    std::string bus;
    std::string path;
    bool null() const { return bus.empty() || path.empty() || path == "/org/a11y/atspi/null"; }
};

// The connection to the accessibility bus (found as libatspi finds it:
// AT_SPI_BUS_ADDRESS, else org.a11y.Bus.GetAddress on the session bus),
// opened on first use and reopened when it was closed. Throws deskbox::Error.
GDBusConnection* a11y_bus_connection();

class CallPipe {
public:
    // The reply (already checked against the reply type), or null when the
    // call failed, timed out or was cancelled.
    using Reply = std::function<void(GVariant* reply)>;

    CallPipe(GDBusConnection* conn, int window, int call_timeout_ms);
    ~CallPipe();  // waits for the calls still in flight (cancelled) before returning
    CallPipe(const CallPipe&) = delete;
    CallPipe& operator=(const CallPipe&) = delete;

    // Sends now, or queues when `window` calls are in flight. `params` may be
    // a floating reference (it is sunk). `reply_type`: "(s)", "(a(so))"...
    void call(const ObjRef& obj, const char* iface, const char* method, GVariant* params, const char* reply_type,
              Reply done);

    // Dispatches replies until nothing is in flight or queued (true), or until
    // `deadline_ms` (CLOCK_MONOTONIC ms) passes: then everything outstanding is
    // cancelled, its continuations are not run, and it returns false.
    bool run(std::int64_t deadline_ms);

    int calls_sent() const { return sent_; }

private:
    struct Queued {
        ObjRef obj;
        const char* iface;
        const char* method;
        GVariant* params;
        const char* reply_type;
        Reply done;
    };
    struct InFlight;
    void send(Queued q);
    static void on_reply(GObject* source, GAsyncResult* result, gpointer data);

    GDBusConnection* conn_;
    GMainContext* ctx_;
    GCancellable* cancel_;
    int window_;
    int call_timeout_ms_;
    int in_flight_ = 0;
    int sent_ = 0;
    bool cancelled_ = false;
    std::deque<Queued> queue_;
};

}  // namespace deskbox::a11y
