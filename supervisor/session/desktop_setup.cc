#include "supervisor/session/desktop_setup.h"

#include <cstdlib>

#include "xsession/display/window_manager.h"
#include "xsession/display/x_resources.h"

#ifndef DESKBOX_JWMRC_PATH
#define DESKBOX_JWMRC_PATH "/usr/local/share/deskbox/jwmrc"
#endif

namespace deskbox {
namespace {

// Generous: jwm is ready in ~25 ms on a quiet machine, but a loaded one
// (many sessions on few cores) can be a hundred times slower.
constexpr Millis kWindowManagerTimeout(30'000);

const DesktopLook kLook{};

}  // namespace

std::filesystem::path window_manager_config_source() {
    if (const char* env = std::getenv("DESKBOX_JWMRC"); env && *env) return env;
    std::error_code ec;
    const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    const auto in_build_tree = exe_dir / "xsession" / "display" / "jwmrc";
    if (!ec && std::filesystem::exists(in_build_tree)) return in_build_tree;
    return DESKBOX_JWMRC_PATH;
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
    return {"jwm", "-f", config_inside};
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

void wait_for_desktop_window_manager(Display* display, const std::string& wm_name) {
    // openbox (a manifest's own choice) sets its check window before it
    // handles map requests reliably; its last start-up step, focusing that
    // window, is the readiness event (window_manager.h). jwm and the others
    // manage windows once the check window is there.
    const bool openbox = std::filesystem::path(wm_name).filename() == "openbox";
    wait_for_window_manager(display, kWindowManagerTimeout, wm_name, openbox);
}

}  // namespace deskbox
