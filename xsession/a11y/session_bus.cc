#include "xsession/a11y/session_bus.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <memory>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox::a11y {

namespace {

// Reads the first line a child prints on the pipe (dbus-daemon's address,
// gdbus's "ready"). EOF first means it ended without one.
std::string read_address(int fd, Millis timeout) {
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    std::string got;
    for (;;) {
        if (auto nl = got.find('\n'); nl != std::string::npos) return got.substr(0, nl);
        if (got.size() > 4096) throw Error("a line longer than 4 KiB");
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) throw Error("no line within " + std::to_string(timeout.count()) + " ms");
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno != EINTR) throw_errno("waiting for dbus-daemon's address");
        if (r <= 0) continue;
        char buf[512];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) throw Error("exited before printing a line");
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw_errno("reading dbus-daemon's address");
        }
        got.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

std::vector<std::string> accessibility_env(const std::string& address) {
    return {
        "DBUS_SESSION_BUS_ADDRESS=" + address,
        "GTK_MODULES=gail:atk-bridge",
        "NO_AT_BRIDGE=0",
        "ACCESSIBILITY_ENABLED=1",
        "GNOME_ACCESSIBILITY=1",
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1",
        "QT_ACCESSIBILITY=1",
        "SAL_USE_VCLPLUGIN=gtk3",
    };
}

SessionBus start_session_bus(Spawner& spawner, const std::vector<std::string>& base_env, Millis timeout,
                             std::function<void(const std::string&, int)> on_exit) {
    SessionBus bus;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("creating the dbus-daemon address pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    auto report = [on_exit](std::string name) {
        return [on_exit, name](int status) {
            if (on_exit) on_exit(name, status);
        };
    };
    SpawnRequest daemon;
    daemon.name = "dbus-daemon";
    daemon.argv = {"dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=3"};
    // A socket file in the user's runtime dir (permissions apply) rather than the
    // session.conf default, an abstract socket that anything in the netns could reach.
    for (const auto& var : base_env)
        if (var.rfind("XDG_RUNTIME_DIR=", 0) == 0 && var.size() > 16)
            daemon.argv.push_back("--address=unix:dir=" + var.substr(16));
    daemon.env = base_env;
    daemon.fds = {{write_end.get(), 3}};
    bus.dbus_daemon = spawner.spawn(daemon, report("dbus-daemon"));
    write_end.reset();  // so that its death reads as EOF
    try {
        bus.address = read_address(read_end.get(), timeout);
    } catch (const Error& e) {
        throw Error(std::string("dbus-daemon printed no address: ") + e.what());
    }
    if (bus.address.empty()) throw Error("dbus-daemon printed an empty address");

    bus.app_env = accessibility_env(bus.address);
    SpawnRequest launcher;
    launcher.name = "at-spi-bus-launcher";
    launcher.argv = {kBusLauncher, "--launch-immediately", "--a11y=1"};
    launcher.env = base_env;
    launcher.env.push_back("DBUS_SESSION_BUS_ADDRESS=" + bus.address);
    bus.bus_launcher = spawner.spawn(launcher, report("at-spi-bus-launcher"));

    // Ready when it owns org.a11y.Bus. Until then a client's call would
    // D-Bus-activate a second launcher racing this one for the name, and apps
    // could end up on a different accessibility bus than the helper. gdbus
    // waits for the NameOwnerChanged signal (no polling); "ready" on the pipe
    // says it saw the owner, EOF without it says it gave up.
    int ready_fds[2];
    if (::pipe2(ready_fds, O_CLOEXEC) != 0) throw_errno("creating the AT-SPI readiness pipe");
    UniqueFd ready_read(ready_fds[0]), ready_write(ready_fds[1]);
    const long seconds = std::max<long>(1, static_cast<long>((timeout.count() + 999) / 1000));
    SpawnRequest wait;
    wait.name = "wait for org.a11y.Bus";
    wait.argv = {"sh", "-c", "gdbus wait --session --timeout \"$1\" org.a11y.Bus && echo ready", "sh",
                 std::to_string(seconds)};
    wait.env = launcher.env;
    wait.fds = {{ready_write.get(), 1}};
    spawner.spawn(wait, [](int) {});
    ready_write.reset();
    std::string line;
    try {
        line = read_address(ready_read.get(), timeout + Millis(1000));
    } catch (const Error& e) {
        throw Error(std::string("at-spi-bus-launcher did not take org.a11y.Bus: ") + e.what());
    }
    if (line != "ready") throw Error("at-spi-bus-launcher did not take org.a11y.Bus: gdbus wait said '" + line + "'");
    return bus;
}

}  // namespace deskbox::a11y
