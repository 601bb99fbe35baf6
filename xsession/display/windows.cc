#include "xsession/display/windows.h"

#include <X11/Xatom.h>
#include <X11/Xutil.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

std::optional<std::string> utf8_property(Display* display, Window window, const char* name) {
    const Atom property = XInternAtom(display, name, False);
    const Atom utf8 = XInternAtom(display, "UTF8_STRING", False);
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    if (XGetWindowProperty(display, window, property, 0, 4096, False, utf8, &type, &format, &count, &after, &data) !=
            Success ||
        type != utf8 || format != 8) {
        if (data) XFree(data);
        return std::nullopt;
    }
    std::string text(reinterpret_cast<char*>(data), count);
    XFree(data);
    return text;
}

std::vector<Window> window_list_property(Display* display, Window window, const char* name) {
    const Atom property = XInternAtom(display, name, False);
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    std::vector<Window> windows;
    if (XGetWindowProperty(display, window, property, 0, 65536, False, XA_WINDOW, &type, &format, &count, &after,
                           &data) == Success &&
        type == XA_WINDOW && format == 32) {
        const auto* ids = reinterpret_cast<const unsigned long*>(data);  // format 32 is long in Xlib
        windows.assign(ids, ids + count);
    }
    if (data) XFree(data);
    return windows;
}

std::string title_of(Display* display, Window window) {
    if (auto title = utf8_property(display, window, "_NET_WM_NAME")) return *title;
    char* name = nullptr;
    std::string title;
    if (XFetchName(display, window, &name) && name) title = name;
    if (name) XFree(name);
    return title;
}

// Walks the tree below `window`, calling `visit` for every window.
void walk(Display* display, Window window, const std::function<void(Window)>& visit, int depth = 0) {
    if (depth > 64) return;
    visit(window);
    Window root_return = 0, parent = 0;
    Window* children = nullptr;
    unsigned int count = 0;
    if (!XQueryTree(display, window, &root_return, &parent, &children, &count)) return;
    std::vector<Window> kids(children, children + count);
    if (children) XFree(children);
    for (Window child : kids) walk(display, child, visit, depth + 1);
}

}  // namespace

namespace {

// WM_CLASS is compared without case: apps vary the case between instance and
// class ("chromium" / "Chromium") and manifests should not have to know which.
bool same_ignoring_case(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

}  // namespace

bool WindowMatch::matches(const WindowInfo& window) const {
    if (!wm_class.empty() && !same_ignoring_case(window.wm_class, wm_class) &&
        !same_ignoring_case(window.wm_instance, wm_class))
        return false;
    if (!title.empty() && window.title.find(title) == std::string::npos) return false;
    return true;
}

std::string WindowMatch::describe() const {
    std::string text;
    if (!wm_class.empty()) text = "WM_CLASS '" + wm_class + "'";
    if (!title.empty()) text += (text.empty() ? "" : " and ") + std::string("title '") + title + "'";
    return text.empty() ? "any window" : text;
}

std::optional<WindowInfo> window_info(Display* display, Window window) {
    XErrorTrap trap(display);  // the window may vanish at any moment
    XWindowAttributes attributes;
    if (!XGetWindowAttributes(display, window, &attributes)) return std::nullopt;
    WindowInfo info;
    info.id = window;
    info.viewable = attributes.map_state == IsViewable;
    info.width = attributes.width;
    info.height = attributes.height;
    Window child = 0;
    XTranslateCoordinates(display, window, attributes.root, 0, 0, &info.x, &info.y, &child);
    XClassHint hint{};
    if (XGetClassHint(display, window, &hint)) {
        if (hint.res_name) info.wm_instance = hint.res_name;
        if (hint.res_class) info.wm_class = hint.res_class;
        if (hint.res_name) XFree(hint.res_name);
        if (hint.res_class) XFree(hint.res_class);
    }
    info.title = title_of(display, window);
    if (!trap.sync_and_get().empty()) return std::nullopt;
    return info;
}

std::vector<WindowInfo> list_windows(Display* display) {
    std::vector<WindowInfo> windows;
    XErrorTrap trap(display);
    walk(display, DefaultRootWindow(display), [&](Window window) {
        if (window == DefaultRootWindow(display)) return;
        auto info = window_info(display, window);
        if (info && info->viewable && (!info->wm_class.empty() || !info->title.empty())) windows.push_back(*info);
    });
    trap.sync_and_get();
    return windows;
}

std::vector<Window> ewmh_client_list(Display* display) {
    return window_list_property(display, DefaultRootWindow(display), "_NET_CLIENT_LIST");
}

std::optional<Window> ewmh_active_window(Display* display) {
    auto windows = window_list_property(display, DefaultRootWindow(display), "_NET_ACTIVE_WINDOW");
    if (windows.empty() || windows[0] == None) return std::nullopt;
    return windows[0];
}

WindowInfo wait_for_window(Display* display, const WindowMatch& match, Millis timeout, const std::string& app_name) {
    const Window root = DefaultRootWindow(display);
    std::set<Window> watched;
    XWindowAttributes root_attributes{};
    XGetWindowAttributes(display, root, &root_attributes);
    // Leave the windows as we found them: other code on this connection may
    // have selected input on the root.
    auto unwatch = [&] {
        XErrorTrap trap(display);
        for (Window w : watched) XSelectInput(display, w, w == root ? root_attributes.your_event_mask : NoEventMask);
        trap.sync_and_get();
    };
    // Select on every window we know so that creations, maps and title changes
    // anywhere in the tree wake us up; then look. Selecting before looking
    // means no change can fall between the look and the wait.
    auto watch_all = [&] {
        XErrorTrap trap(display);
        walk(display, root, [&](Window window) {
            if (watched.insert(window).second) {
                XSelectInput(display, window,
                             SubstructureNotifyMask | PropertyChangeMask | StructureNotifyMask |
                                 (window == root ? root_attributes.your_event_mask : NoEventMask));
            }
        });
        trap.sync_and_get();
    };
    auto find = [&]() -> std::optional<WindowInfo> {
        for (const auto& window : list_windows(display)) {
            if (match.matches(window)) return window;
        }
        return std::nullopt;
    };
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    for (;;) {
        watch_all();
        if (auto found = find()) {
            unwatch();
            return *found;
        }
        // Wait for at least one event (or the deadline), then drain them all.
        while (XPending(display) == 0) {
            const std::int64_t left = deadline - monotonic_ms();
            if (left <= 0) {
                unwatch();
                throw Error("app '" + app_name + "': no window with " + match.describe() + " within " +
                            format_duration(timeout));
            }
            pollfd pfd{ConnectionNumber(display), POLLIN, 0};
            poll(&pfd, 1, static_cast<int>(left));
        }
        XEvent event;
        while (XPending(display) > 0) XNextEvent(display, &event);
    }
}

}  // namespace deskbox
