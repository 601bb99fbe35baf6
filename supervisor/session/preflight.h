// Everything about a plan that can be checked before the session takes its
// lock or makes any privileged step: the name, the sandbox's options, and
// that Xvfb, every app's program and the window manager are installed.
#pragma once

#include "supervisor/manifest/admission.h"

namespace deskbox {

// Throws deskbox::Error naming the manifest field at fault.
void check_session_can_start(const Plan& plan);

}  // namespace deskbox
