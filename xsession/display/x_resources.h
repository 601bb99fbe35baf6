// The X resource database of a session display (the root window's
// RESOURCE_MANAGER property, what `xrdb -load` writes): where Xft, Xcursor,
// Chromium, Qt and xterm read the DPI and cursor theme.
#pragma once

#include <X11/Xlib.h>

#include <string>

namespace deskbox {

struct DesktopLook {
    int dpi = 96;                          // Xft.dpi: font size in pixels = points * dpi / 72
    std::string cursor_theme = "Adwaita";  // Debian's adwaita-icon-theme (a GTK dependency)
    int cursor_size = 24;
};

// "Xft.dpi:\t96\nXft.antialias:\t1\n...", the resources for `look`.
std::string resources_of(const DesktopLook& look);

// Replaces the root's RESOURCE_MANAGER with `resources` (one "name:\tvalue"
// per line) and waits for the server to have it. Apps started afterwards read it.
void load_resources(Display* display, const std::string& resources);

}  // namespace deskbox
