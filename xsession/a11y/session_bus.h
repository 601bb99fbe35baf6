// The session's D-Bus bus and AT-SPI bus, started through the Spawner (inside
// the sandbox), and the environment that switches accessibility on in every
// toolkit the session runs.
#pragma once

#include <string>
#include <vector>

#include "supervisor/base/spawner.h"
#include "supervisor/base/units.h"

namespace deskbox::a11y {

struct SessionBus {
    ProcessId dbus_daemon = -1;
    ProcessId bus_launcher = -1;
    std::string address;  // DBUS_SESSION_BUS_ADDRESS
    // What apps (and the a11y helper) need on top of the base environment:
    // DBUS_SESSION_BUS_ADDRESS, GTK_MODULES=gail:atk-bridge, NO_AT_BRIDGE=0,
    // ACCESSIBILITY_ENABLED=1, GNOME_ACCESSIBILITY=1, QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1,
    // QT_ACCESSIBILITY=1, SAL_USE_VCLPLUGIN=gtk3 (LibreOffice's gtk3 plugin is the one with AT-SPI).
    // Chromium needs --force-renderer-accessibility on its command line as well.
    std::vector<std::string> app_env;
};

// Starts `dbus-daemon --session --nofork --print-address=3` (ready when the
// address line arrives on the pipe) and then `at-spi-bus-launcher
// --launch-immediately --a11y=1`, which owns org.a11y.Bus and sets
// org.a11y.Status IsEnabled=true (ready when `gdbus wait` sees it own the name). `base_env` is the environment both run
// with (HOME, XDG_RUNTIME_DIR, DISPLAY...). Throws deskbox::Error with the cause. `on_exit` is told when either process
// ends.
SessionBus start_session_bus(Spawner& spawner, const std::vector<std::string>& base_env, Millis timeout,
                             std::function<void(const std::string& name, int wait_status)> on_exit = {});

// The variables of SessionBus::app_env for a bus at `address`.
std::vector<std::string> accessibility_env(const std::string& address);

inline constexpr const char* kBusLauncher = "/usr/libexec/at-spi-bus-launcher";

}  // namespace deskbox::a11y
