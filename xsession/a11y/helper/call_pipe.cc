#include "xsession/a11y/helper/call_pipe.h"

#include <cstdlib>
#include <utility>

#include "supervisor/base/error.h"
#include "xsession/a11y/helper/atspi_walker.h"

namespace deskbox::a11y {

namespace {

std::string error_text(GError* e) {
    return e && e->message ? e->message : "unknown error";
}

std::string a11y_bus_address() {
    if (const char* a = std::getenv("AT_SPI_BUS_ADDRESS"); a && *a) return a;
    GError* err = nullptr;
    gchar* session_address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, nullptr, &err);
    if (!session_address) {
        const std::string why = error_text(err);
        g_clear_error(&err);
        throw Error("finding the session bus: " + why);
    }
    // A private connection: the shared one would exit the helper when the bus closes.
    GDBusConnection* session = g_dbus_connection_new_for_address_sync(
        session_address,
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, nullptr, &err);
    g_free(session_address);
    if (!session) {
        const std::string why = error_text(err);
        g_clear_error(&err);
        throw Error("connecting to the session bus: " + why);
    }
    GVariant* reply =
        g_dbus_connection_call_sync(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", nullptr,
                                    G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, 3000, nullptr, &err);
    g_dbus_connection_close_sync(session, nullptr, nullptr);
    g_object_unref(session);
    if (!reply) {
        const std::string why = error_text(err);
        g_clear_error(&err);
        throw Error("asking org.a11y.Bus for the accessibility bus address: " + why);
    }
    const gchar* address = nullptr;
    g_variant_get(reply, "(&s)", &address);
    std::string out = address ? address : "";
    g_variant_unref(reply);
    if (out.empty()) throw Error("org.a11y.Bus gave an empty accessibility bus address");
    return out;
}

}  // namespace

GDBusConnection* a11y_bus_connection() {
    static GDBusConnection* conn = nullptr;
    if (conn && !g_dbus_connection_is_closed(conn)) return conn;
    if (conn) g_object_unref(conn);
    conn = nullptr;
    const std::string address = a11y_bus_address();
    GError* err = nullptr;
    conn = g_dbus_connection_new_for_address_sync(
        address.c_str(),
        static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
        nullptr, nullptr, &err);
    if (!conn) {
        const std::string why = error_text(err);
        g_clear_error(&err);
        throw Error("connecting to the accessibility bus " + address + ": " + why);
    }
    g_dbus_connection_set_exit_on_close(conn, FALSE);
    return conn;
}

struct CallPipe::InFlight {
    CallPipe* pipe;
    Reply done;
};

CallPipe::CallPipe(GDBusConnection* conn, int window, int call_timeout_ms)
    : conn_(conn),
      ctx_(g_main_context_new()),
      cancel_(g_cancellable_new()),
      window_(window),
      call_timeout_ms_(call_timeout_ms) {
    // GDBus runs a call's callback in the thread-default context of the caller.
    g_main_context_push_thread_default(ctx_);
}

CallPipe::~CallPipe() {
    cancelled_ = true;
    g_cancellable_cancel(cancel_);
    for (Queued& q : queue_)
        if (q.params) g_variant_unref(q.params);
    queue_.clear();
    while (in_flight_ > 0) g_main_context_iteration(ctx_, TRUE);  // cancelled calls complete at once
    g_main_context_pop_thread_default(ctx_);
    g_object_unref(cancel_);
    g_main_context_unref(ctx_);
}

void CallPipe::call(const ObjRef& obj, const char* iface, const char* method, GVariant* params, const char* reply_type,
                    Reply done) {
    if (params) g_variant_ref_sink(params);
    if (cancelled_) {
        if (params) g_variant_unref(params);
        return;
    }
    Queued q{obj, iface, method, params, reply_type, std::move(done)};
    if (in_flight_ >= window_)
        queue_.push_back(std::move(q));
    else
        send(std::move(q));
}

void CallPipe::send(Queued q) {
    ++in_flight_;
    ++sent_;
    auto* f = new InFlight{this, std::move(q.done)};
    // Auto-start allowed, as libatspi does: the registry is activated on demand.
    g_dbus_connection_call(conn_, q.obj.bus.c_str(), q.obj.path.c_str(), q.iface, q.method, q.params,
                           G_VARIANT_TYPE(q.reply_type), G_DBUS_CALL_FLAGS_NONE, call_timeout_ms_, cancel_,
                           &CallPipe::on_reply, f);
    if (q.params) g_variant_unref(q.params);
}

void CallPipe::on_reply(GObject* source, GAsyncResult* result, gpointer data) {
    auto* f = static_cast<InFlight*>(data);
    CallPipe* pipe = f->pipe;
    GError* err = nullptr;
    GVariant* reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &err);
    g_clear_error(&err);
    --pipe->in_flight_;
    if (!pipe->cancelled_) f->done(reply);
    if (reply) g_variant_unref(reply);
    delete f;
    while (!pipe->cancelled_ && pipe->in_flight_ < pipe->window_ && !pipe->queue_.empty()) {
        Queued next = std::move(pipe->queue_.front());
        pipe->queue_.pop_front();
        pipe->send(std::move(next));
    }
}

namespace {
gboolean set_flag(gpointer flag) {
    *static_cast<bool*>(flag) = true;
    return G_SOURCE_REMOVE;
}
}  // namespace

bool CallPipe::run(std::int64_t deadline_ms) {
    bool timed_out = false;
    const std::int64_t left = deadline_ms - now_ms();
    if (left <= 0) timed_out = true;
    GSource* timer = g_timeout_source_new(static_cast<guint>(left > 0 ? left : 0));
    g_source_set_callback(timer, set_flag, &timed_out, nullptr);
    g_source_attach(timer, ctx_);
    while ((in_flight_ > 0 || !queue_.empty()) && !timed_out) g_main_context_iteration(ctx_, TRUE);
    g_source_destroy(timer);
    g_source_unref(timer);
    if (!timed_out) return true;
    cancelled_ = true;
    g_cancellable_cancel(cancel_);
    for (Queued& q : queue_)
        if (q.params) g_variant_unref(q.params);
    queue_.clear();
    while (in_flight_ > 0) g_main_context_iteration(ctx_, TRUE);
    return false;
}

}  // namespace deskbox::a11y
