// The display's windows for `verify: window` checks. Apart from verify.cc
// because the display's windows.h and the policy model both define
// deskbox::WindowMatch (as app_ready.h explains).
#pragma once

#include <vector>

#include "supervisor/session/verify.h"

// Xlib's Display, without Xlib's macros (its None would break manifest.h's enums).
struct _XDisplay;

namespace deskbox {

// Every viewable window with a WM_CLASS or title (xsession/display/windows.h).
std::vector<VerifyWindow> verify_windows(_XDisplay* display);

}  // namespace deskbox
