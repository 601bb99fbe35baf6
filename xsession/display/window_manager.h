// Waiting for a session's window manager to be running, by X events.
#pragma once

#include <X11/Xlib.h>

#include <string>

#include "supervisor/base/units.h"

namespace deskbox {

// True when an EWMH window manager runs: the root's _NET_SUPPORTING_WM_CHECK
// names a window whose own _NET_SUPPORTING_WM_CHECK names itself. Window
// managers set it after they own SubstructureRedirect on the root (jwm,
// openbox, xfwm4, fluxbox, icewm, metacity do), so from then on new windows are managed.
bool window_manager_running(Display* display);

// That window (the window manager's own, which it also focuses when no client
// has the focus); None when no window manager runs.
Window window_manager_check_window(Display* display);

// Waits for window_manager_running, woken by PropertyNotify on the root (never
// polled). With `until_focus_on_check_window`, also until the X input focus is
// on that window: openbox sets the check window early in its start, but
// handles map requests reliably only once it has managed the windows already
// there and, as its last start-up step, focused its check window ("focus
// nothing"); a window mapped in between was seen left unmapped. FocusIn on the
// check window wakes the wait. Throws deskbox::Error "window manager 'openbox':
// not running within 30s (...)".
void wait_for_window_manager(Display* display, Millis timeout, const std::string& name,
                             bool until_focus_on_check_window);

// A round trip through the window manager, after input it intercepts: a
// click-to-focus window manager (openbox, jwm) takes every click on a client (a synchronous button grab, for click to
// focus), focuses and raises, then replays the click to the app; keys sent
// meanwhile are not held back and reached the app before the click did (a
// type_into right after its click typed into the previous field). Sends the
// window manager a _NET_REQUEST_FRAME_EXTENTS for a window of ours and waits
// for its answer (the _NET_FRAME_EXTENTS property): it handles requests in
// order, so the click was handled first. Nothing to do without a window
// manager or when it does not support that request. Throws deskbox::Error
// when it does not answer within `timeout`. Reads only its own window's events.
void sync_with_window_manager(Display* display, Millis timeout);

}  // namespace deskbox
