// The desktop every session gets unless its manifest opts out
// (docs/display.md, "The default desktop"): the X resources (DPI, font
// rendering, cursor theme), the environment every app sees, and the window
// manager (openbox with the project's rc.xml, or the manifest's own argv),
// waited for until it manages windows.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"

typedef struct _XDisplay Display;  // Xlib's, without Xlib's macros here

namespace deskbox {

// The openbox configuration deskbox ships: DESKBOX_OPENBOX_RC, else beside the
// running binary in the build tree, else the installed datadir copy.
std::filesystem::path openbox_config_source();

// The window manager's argv; empty for `window_manager: none`.
// `config_inside` is the staged rc.xml as the sandbox sees it.
std::vector<std::string> window_manager_argv(const DisplaySpec& display, const std::string& config_inside);

// Fixed scale and cursor for toolkits that read the environment, not X resources.
std::vector<std::string> desktop_env();

// Loads the session's X resources (DPI, font rendering, cursor) into a fresh
// display, before anything that reads them starts. Throws deskbox::Error.
void load_desktop_resources(Display* display);

// Waits until the window manager of `display_spec` manages windows (30s at
// most); for the default openbox, until it finished starting.
void wait_for_desktop_window_manager(Display* display, const DisplaySpec& display_spec, const std::string& wm_name);

}  // namespace deskbox
