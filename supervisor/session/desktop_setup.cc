#include "supervisor/session/desktop_setup.h"

#include <cstdlib>

#include "xsession/display/window_manager.h"
#include "xsession/display/x_resources.h"

#ifndef DESKBOX_OPENBOX_RC_PATH
#define DESKBOX_OPENBOX_RC_PATH "/usr/local/share/deskbox/openbox-rc.xml"
#endif

namespace deskbox {
namespace {

// Generous: openbox is ready in ~30 ms on a quiet machine, but a loaded one
// (many sessions on few cores) can be a hundred times slower.
constexpr Millis kWindowManagerTimeout(30'000);

const DesktopLook kLook{};

}  // namespace

std::filesystem::path openbox_config_source() {
    if (const char* env = std::getenv("DESKBOX_OPENBOX_RC"); env && *env) return env;
    std::error_code ec;
    const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    const auto in_build_tree = exe_dir / "xsession" / "display" / "openbox-rc.xml";
    if (!ec && std::filesystem::exists(in_build_tree)) return in_build_tree;
    return DESKBOX_OPENBOX_RC_PATH;
}

std::vector<std::string> window_manager_argv(const DisplaySpec& display, const std::string& config_inside) {
    switch (display.window_manager_mode) {
        case DisplaySpec::WindowManager::Off:
            return {};
        case DisplaySpec::WindowManager::Custom:
            return display.window_manager;
        case DisplaySpec::WindowManager::Default:
            break;
    }
    // No session manager: there is none, and openbox would wait for one.
    return {"openbox", "--sm-disable", "--config-file", config_inside};
}

std::vector<std::string> desktop_env() {
    return {"GDK_SCALE=1",
            "GDK_DPI_SCALE=1",
            "QT_SCALE_FACTOR=1",
            "QT_AUTO_SCREEN_SCALE_FACTOR=0",
            "XCURSOR_THEME=" + kLook.cursor_theme,
            "XCURSOR_SIZE=" + std::to_string(kLook.cursor_size)};
}

void load_desktop_resources(Display* display) {
    load_resources(display, resources_of(kLook));
}

void wait_for_desktop_window_manager(Display* display, const DisplaySpec& display_spec, const std::string& wm_name) {
    wait_for_window_manager(display, kWindowManagerTimeout, wm_name,
                            display_spec.window_manager_mode == DisplaySpec::WindowManager::Default);
}

}  // namespace deskbox
