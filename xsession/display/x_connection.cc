#include "xsession/display/x_connection.h"

#include <X11/extensions/XTest.h>

#include <mutex>

#include "supervisor/base/error.h"
#include "supervisor/base/netns.h"

namespace deskbox {
namespace {

// XSetAuthorization is process-wide state of Xlib: hold it only around one open.
std::mutex auth_mutex;

void on_io_error_exit(Display*, void* user_data) {
    // Returning (instead of Xlib's default exit(1)) leaves the display marked
    // dead; the owner sees lost() and reports. Never exit below main.
    static_cast<std::atomic<bool>*>(user_data)->store(true);
}

int on_io_error(Display*) {
    return 0;
}

}  // namespace

XConnection XConnection::open(int display_number, const std::string& cookie, int netns_fd) {
    XInitThreads();
    install_x_error_handlers();
    XSetIOErrorHandler(on_io_error);
    const std::string name = ":" + std::to_string(display_number);
    Display* display = nullptr;
    auto connect = [&] {
        std::lock_guard lock(auth_mutex);
        static char kMethod[] = "MIT-MAGIC-COOKIE-1";
        std::string data = cookie;
        XSetAuthorization(kMethod, static_cast<int>(sizeof kMethod - 1), data.data(), static_cast<int>(data.size()));
        display = XOpenDisplay(name.c_str());
        XSetAuthorization(nullptr, 0, nullptr, 0);
    };
    if (netns_fd >= 0) {
        run_in_netns(netns_fd, connect);
    } else {
        connect();
    }
    if (!display) {
        throw Error("opening X display " + name + ": the server refused or is unreachable" +
                    (netns_fd >= 0 ? " from the session's network namespace" : ""));
    }
    // A client that holds the server (XGrabServer) and then hangs, stops or is
    // frozen would otherwise hold every one of the supervisor's round trips, and
    // with them its loop and the kill switch: XTEST makes this connection's
    // requests served through any grab.
    int event_base = 0, error_base = 0, major = 0, minor = 0;
    if (XTestQueryExtension(display, &event_base, &error_base, &major, &minor)) XTestGrabControl(display, True);
    XConnection connection;
    connection.display_ = display;
    connection.display_number_ = display_number;
    connection.state_ = std::make_unique<State>();
    State* state = connection.state_.get();
    XSetIOErrorExitHandler(display, on_io_error_exit, &state->lost);
    register_x_error_sink(display, [state](const XErrorInfo& info) {
        std::lock_guard lock(state->mutex);
        ++state->errors;
        state->last_error = info.message;
    });
    return connection;
}

XConnection::XConnection(XConnection&& other) noexcept
    : display_(std::exchange(other.display_, nullptr)),
      display_number_(other.display_number_),
      state_(std::move(other.state_)) {}

XConnection& XConnection::operator=(XConnection&& other) noexcept {
    if (this != &other) {
        close();
        display_ = std::exchange(other.display_, nullptr);
        display_number_ = other.display_number_;
        state_ = std::move(other.state_);
    }
    return *this;
}

XConnection::~XConnection() {
    close();
}

void XConnection::close() {
    if (!display_) return;
    unregister_x_error_sink(display_);
    XCloseDisplay(display_);
    display_ = nullptr;
}

Window XConnection::root() const {
    return DefaultRootWindow(display_);
}
int XConnection::width() const {
    return DisplayWidth(display_, DefaultScreen(display_));
}
int XConnection::height() const {
    return DisplayHeight(display_, DefaultScreen(display_));
}

void XConnection::sync() const {
    if (lost()) throw Error("X display :" + std::to_string(display_number_) + ": connection lost");
    XSync(display_, False);
    if (lost()) throw Error("X display :" + std::to_string(display_number_) + ": connection lost");
}

std::uint64_t XConnection::error_count() const {
    if (!state_) return 0;
    std::lock_guard lock(state_->mutex);
    return state_->errors;
}

std::string XConnection::last_error() const {
    if (!state_) return {};
    std::lock_guard lock(state_->mutex);
    return state_->last_error;
}

}  // namespace deskbox
