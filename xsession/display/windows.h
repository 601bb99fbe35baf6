// Windows of a session display: WM_CLASS, titles, the EWMH client list, and
// waiting (by X events, never by polling with sleeps) for an app's window.
#pragma once

#include <X11/Xlib.h>

#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/units.h"

namespace deskbox {

struct WindowInfo {
    Window id = 0;
    std::string wm_instance;                  // WM_CLASS res_name
    std::string wm_class;                     // WM_CLASS res_class
    std::string title;                        // _NET_WM_NAME (UTF-8), else WM_NAME
    int x = 0, y = 0, width = 0, height = 0;  // root coordinates
    bool viewable = false;
};

// What makes an app ready: a window whose WM_CLASS instance or class equals
// `wm_class`, and/or whose title contains `title`. Empty fields match anything.
struct WindowMatch {
    std::string wm_class;
    std::string title;
    bool matches(const WindowInfo& window) const;
    std::string describe() const;  // "WM_CLASS 'Zenity'", "title 'x'", "WM_CLASS 'a' and title 'b'"
};

// Every mapped (viewable) window that has a WM_CLASS or a title, found by a
// tree walk (works with or without a window manager). Windows that vanish
// during the walk are skipped (their errors are trapped, not logged).
std::vector<WindowInfo> list_windows(Display* display);
std::optional<WindowInfo> window_info(Display* display, Window window);

// _NET_CLIENT_LIST and _NET_ACTIVE_WINDOW when a window manager provides them.
std::vector<Window> ewmh_client_list(Display* display);
std::optional<Window> ewmh_active_window(Display* display);

// Waits until a viewable window matches, watching SubstructureNotify and
// PropertyNotify events (window created, mapped, renamed). Throws
// deskbox::Error "app 'editor': no window with title 'x' within 30s".
WindowInfo wait_for_window(Display* display, const WindowMatch& match, Millis timeout, const std::string& app_name);

}  // namespace deskbox
