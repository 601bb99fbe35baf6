// App readiness by window (the manifest's `ready: {wm_class, title}`), through
// the display area's wait_for_window. Kept apart from session.cc because the
// display's windows.h and the policy model both define deskbox::WindowMatch.
#pragma once

#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"

namespace deskbox {

// Connects to the session display from inside its network namespace and
// waits, app by app, for a window matching its ready condition and for that
// window to have drawn (no longer one colour, or damaged). Apps without
// a window condition are skipped. Throws deskbox::Error
// "app 'editor': no window with title 'x' within 30s".
void wait_for_app_windows(int display_number, const std::string& cookie, int netns_fd,
                          const std::vector<AppSpec>& apps);

}  // namespace deskbox
