#include "xsession/display/window_manager.h"

#include <X11/Xatom.h>
#include <poll.h>

#include <optional>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

// The window named by `w`'s _NET_SUPPORTING_WM_CHECK, if it has one.
std::optional<Window> check_window_of(Display* display, Window w, Atom check) {
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    XErrorTrap trap(display);  // the check window may be gone (a window manager that quit)
    const int status =
        XGetWindowProperty(display, w, check, 0, 1, False, XA_WINDOW, &type, &format, &count, &after, &data);
    std::optional<Window> out;
    if (status == Success && data && type == XA_WINDOW && format == 32 && count == 1)
        out = static_cast<Window>(reinterpret_cast<unsigned long*>(data)[0]);
    if (data) XFree(data);
    if (!trap.sync_and_get().empty()) return std::nullopt;
    return out;
}

}  // namespace

Window window_manager_check_window(Display* display) {
    const Atom check = XInternAtom(display, "_NET_SUPPORTING_WM_CHECK", False);
    const auto named = check_window_of(display, DefaultRootWindow(display), check);
    // A stale property from a window manager that died names a window that is gone.
    return named && check_window_of(display, *named, check) == named ? *named : None;
}

bool window_manager_running(Display* display) {
    return window_manager_check_window(display) != None;
}

void wait_for_window_manager(Display* display, Millis timeout, const std::string& name,
                             bool until_focus_on_check_window) {
    const Window root = DefaultRootWindow(display);
    XWindowAttributes attributes{};
    XGetWindowAttributes(display, root, &attributes);
    // Select before looking: a property set in between still wakes us.
    XSelectInput(display, root, attributes.your_event_mask | PropertyChangeMask);
    Window watched = None;  // the check window, once known, for its FocusIn
    auto restore = [&] {
        XErrorTrap trap(display);
        XSelectInput(display, root, attributes.your_event_mask);
        if (watched != None) XSelectInput(display, watched, NoEventMask);
        trap.sync_and_get();
    };
    auto ready = [&]() -> std::optional<std::string> {  // nullopt: ready; else what is missing
        const Window check = window_manager_check_window(display);
        if (check == None) return "the root window has no _NET_SUPPORTING_WM_CHECK naming a live window";
        if (!until_focus_on_check_window) return std::nullopt;
        if (watched != check) {
            XErrorTrap trap(display);
            XSelectInput(display, check, FocusChangeMask);
            if (!trap.sync_and_get().empty()) return "its check window went away";
            watched = check;
        }
        Window focus = None;
        int revert = 0;
        XGetInputFocus(display, &focus, &revert);
        if (focus == check) return std::nullopt;
        return "it has not finished starting (the keyboard focus is not yet on its check window)";
    };
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    for (;;) {
        const auto missing = ready();
        if (!missing) {
            restore();
            return;
        }
        while (XPending(display) == 0) {
            const std::int64_t left = deadline - monotonic_ms();
            if (left <= 0) {
                restore();
                throw Error("window manager '" + name + "': not running within " + format_duration(timeout) + " (" +
                            *missing + "; its own messages are in the session log)");
            }
            pollfd pfd{ConnectionNumber(display), POLLIN, 0};
            poll(&pfd, 1, static_cast<int>(left));
        }
        XEvent event;
        while (XPending(display) > 0) XNextEvent(display, &event);
    }
}

namespace {

bool supports(Display* display, Atom wanted) {
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    XErrorTrap trap(display);
    bool found = false;
    if (XGetWindowProperty(display, DefaultRootWindow(display), XInternAtom(display, "_NET_SUPPORTED", False), 0, 4096,
                           False, XA_ATOM, &type, &format, &count, &after, &data) == Success &&
        data && type == XA_ATOM && format == 32) {
        const auto* atoms = reinterpret_cast<unsigned long*>(data);
        for (unsigned long i = 0; i < count && !found; ++i) found = atoms[i] == wanted;
    }
    if (data) XFree(data);
    trap.sync_and_get();
    return found;
}

}  // namespace

void sync_with_window_manager(Display* display, Millis timeout) {
    if (window_manager_check_window(display) == None) return;
    const Atom request = XInternAtom(display, "_NET_REQUEST_FRAME_EXTENTS", False);
    const Atom extents = XInternAtom(display, "_NET_FRAME_EXTENTS", False);
    if (!supports(display, request)) return;
    const Window root = DefaultRootWindow(display);
    XSetWindowAttributes attributes{};
    attributes.event_mask = PropertyChangeMask;
    const Window probe =
        XCreateWindow(display, root, -10, -10, 1, 1, 0, 0, InputOnly, CopyFromParent, CWEventMask, &attributes);
    XEvent message{};
    message.xclient.type = ClientMessage;
    message.xclient.window = probe;
    message.xclient.message_type = request;
    message.xclient.format = 32;
    XSendEvent(display, root, False, SubstructureRedirectMask | SubstructureNotifyMask, &message);
    XFlush(display);
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    bool answered = false;
    while (!answered) {
        XEvent event;
        while (XCheckTypedWindowEvent(display, probe, PropertyNotify, &event))
            answered = answered || event.xproperty.atom == extents;
        if (answered) break;
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) break;
        pollfd pfd{ConnectionNumber(display), POLLIN, 0};
        poll(&pfd, 1, static_cast<int>(left));
        XEventsQueued(display, QueuedAfterReading);  // read what came, leave it queued for its owners
    }
    XDestroyWindow(display, probe);
    XFlush(display);
    if (!answered)
        throw Error("the window manager did not answer within " + format_duration(timeout) +
                    " after the click (a _NET_REQUEST_FRAME_EXTENTS round trip)");
}

}  // namespace deskbox
