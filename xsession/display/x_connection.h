// The supervisor's own connection to a session display: a move-only owner of
// Display*. Opened with the session's cookie (never a cookie file lookup by
// hostname), optionally from inside the session's network namespace, where the
// display's abstract socket @/tmp/.X11-unix/XN lives.
#pragma once

#include <X11/Xlib.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "xsession/display/x_error.h"

namespace deskbox {

class XConnection {
public:
    XConnection() = default;
    // netns_fd: an fd of /proc/PID/ns/net, or -1 to connect from this namespace.
    // Throws deskbox::Error "opening X display :N: ..." when the server refuses.
    static XConnection open(int display_number, const std::string& cookie, int netns_fd = -1);

    XConnection(XConnection&& other) noexcept;
    XConnection& operator=(XConnection&& other) noexcept;
    XConnection(const XConnection&) = delete;
    XConnection& operator=(const XConnection&) = delete;
    ~XConnection();

    Display* get() const { return display_; }
    explicit operator bool() const { return display_ != nullptr; }
    int display_number() const { return display_number_; }
    Window root() const;
    int width() const;
    int height() const;

    // XSync; throws if the connection was lost.
    void sync() const;
    // Set when Xlib reported a fatal I/O error (server gone); every later call
    // on the display is a no-op, so callers check this and report.
    bool lost() const { return state_ && state_->lost.load(); }

    // Errors reported outside XErrorTrap scopes (they were also logged).
    std::uint64_t error_count() const;
    std::string last_error() const;

private:
    struct State {
        std::atomic<bool> lost{false};
        mutable std::mutex mutex;
        std::uint64_t errors = 0;
        std::string last_error;
    };
    void close();

    Display* display_ = nullptr;
    int display_number_ = -1;
    std::unique_ptr<State> state_;
};

}  // namespace deskbox
