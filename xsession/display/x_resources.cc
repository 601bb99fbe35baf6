#include "xsession/display/x_resources.h"

#include <X11/Xatom.h>

#include "supervisor/base/error.h"
#include "xsession/display/x_error.h"

namespace deskbox {

std::string resources_of(const DesktopLook& look) {
    // Grayscale antialiasing and slight hinting: the same pixels on every
    // screen (no sub-pixel colour fringes that depend on a panel's layout).
    return "Xft.dpi:\t" + std::to_string(look.dpi) + "\n" +
           "Xft.antialias:\t1\n"
           "Xft.hinting:\t1\n"
           "Xft.hintstyle:\thintslight\n"
           "Xft.rgba:\tnone\n"
           "Xcursor.theme:\t" +
           look.cursor_theme + "\n" + "Xcursor.size:\t" + std::to_string(look.cursor_size) + "\n";
}

void load_resources(Display* display, const std::string& resources) {
    XErrorTrap trap(display);
    XChangeProperty(display, DefaultRootWindow(display), XInternAtom(display, "RESOURCE_MANAGER", False), XA_STRING, 8,
                    PropModeReplace, reinterpret_cast<const unsigned char*>(resources.data()),
                    static_cast<int>(resources.size()));
    const auto errors = trap.sync_and_get();
    if (!errors.empty()) throw Error("setting the X resources (RESOURCE_MANAGER): " + errors.front().message);
}

}  // namespace deskbox
