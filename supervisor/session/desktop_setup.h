// The desktop every session gets unless its manifest opts out
// (docs/display.md, "The default desktop"): the X resources (DPI, font
// rendering, cursor theme), the environment every app sees, and the window
// manager (jwm with the project's jwmrc, or the manifest's own argv),
// waited for until it manages windows.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"

typedef struct _XDisplay Display;  // Xlib's, without Xlib's macros here

namespace deskbox {

// The jwm configuration deskbox ships: DESKBOX_JWMRC, else beside the
// running binary in the build tree, else the installed datadir copy.
std::filesystem::path window_manager_config_source();

// The window manager's argv; empty for `window_manager: none`.
// `config_inside` is the staged jwmrc as the sandbox sees it.
std::vector<std::string> window_manager_argv(const DisplaySpec& display, const std::string& config_inside);

// Fixed scale and cursor for toolkits that read the environment, not X resources.
std::vector<std::string> desktop_env();

// Loads the session's X resources (DPI, font rendering, cursor) into a fresh
// display, before anything that reads them starts. Throws deskbox::Error.
void load_desktop_resources(Display* display);

// Waits until the window manager started as `wm_name` (its argv[0]) manages
// windows (30s at most); for openbox, until it finished starting.
void wait_for_desktop_window_manager(Display* display, const std::string& wm_name);

}  // namespace deskbox
