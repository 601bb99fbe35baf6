// Which application window an action reaches, asked of the X server itself.
// This is the gate's ground truth for "which window, which app": it works for
// every X client (xterm, Xt/Motif, Tk, Java, Wine, GTK, Qt, browsers), with or
// without a window manager, and needs nothing from the app's accessibility.
//
//  - A pointer action reaches the top-level window under the point: the X
//    server's own stacking and shapes decide (XTranslateCoordinates on the
//    root), override-redirect menus included; below a window manager's frame
//    the client is the window carrying WM_STATE.
//  - A keyboard action reaches the input focus; with focus PointerRoot or None
//    the keys go to (or are lost under) the window under the pointer, which is
//    what is reported then. Focus on the root or on the window manager's own
//    window (openbox focuses it when no client has the focus) reaches no client.
//
// Errors: an X error or a window that cannot be read throws
// WindowUnreadable (the gate then treats the window as unreadable, never as
// "no window").
#pragma once

#include <X11/Xlib.h>

#include <optional>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/base/units.h"

namespace deskbox {

class WindowUnreadable : public Error {
public:
    using Error::Error;
};

struct ClientWindow {
    Window id = 0;
    std::string wm_instance;  // WM_CLASS res_name
    std::string wm_class;     // WM_CLASS res_class
    std::string title;        // _NET_WM_NAME, else WM_NAME
    int pid = -1;             // _NET_WM_PID, else the X-Resource client pid; -1 when neither says
    // ICCCM 4.1.7: WM_HINTS input True (or no WM_HINTS), or WM_TAKE_FOCUS in
    // WM_PROTOCOLS. A window with neither is never given the keyboard focus
    // by a window manager: keys typed "into" it go to another window.
    bool takes_focus = true;
};

// The client window under a root point; nullopt when the point is over the
// root window only (nothing is there).
std::optional<ClientWindow> client_window_at(Display* display, int root_x, int root_y);

struct KeyboardTarget {
    std::optional<ClientWindow> window;  // nullopt: the keys reach no client window
    bool via_pointer = false;            // focus was PointerRoot/None: the window under the pointer
};
KeyboardTarget keyboard_window(Display* display);

}  // namespace deskbox
