// "Ready means visible": a window that was just mapped may not have drawn
// yet (X gives it no content until the app paints; Xvfb shows black). An app
// is ready once its window shows more than one colour, or, if it stays one
// colour, once it has drawn at least once (XDamage) — never by a timer.
#pragma once

#include <X11/Xlib.h>

#include "supervisor/base/units.h"

namespace deskbox {

// True when the window's pixels are all one colour (sampled), as before the
// app paints. A window that cannot be read (unmapped, offscreen) counts as not
// uniform: this check never blocks on what it cannot see.
bool window_is_uniform(Display* display, Window window);

// Waits (DAMAGE events on the window, at most `timeout`) until the window is
// not uniform, or it painted and then stayed one colour for a quiet period
// (2 s without another paint: a window meant to be one colour; LibreOffice clears to black first and paints its UI up
// to a second later). Returns false at the timeout when it never painted at all.
bool wait_until_drawn(Display* display, Window window, Millis timeout);

}  // namespace deskbox
