// A real session with a real X app starts, is visible as running, talks
// sd_notify, ends cleanly; two sessions side by side cannot see each other's
// processes, files, abstract sockets (displays) or network.
#define BOOST_TEST_MODULE deskbox session integration
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <fstream>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

const char* kSandbox = "sandbox: {memory: 512M, pids: 128, home_size: 32M, tmp_size: 32M}\nnetwork: {mode: none}\n";

// An abstract datagram socket standing in for systemd's NOTIFY_SOCKET.
struct NotifySocket {
    int fd = -1;
    std::string name = "deskbox-test-notify-" + std::to_string(getpid());
    NotifySocket() {
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path + 1, name.data(), name.size());
        BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a),
                           static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())) == 0);
    }
    ~NotifySocket() { close(fd); }
    std::string receive(int timeout_ms) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return "";
        char buf[512];
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(session_runs_is_visible_and_ends_cleanly) {
    if (!require_root()) return;
    TestDirs dirs;
    NotifySocket notify;
    const auto manifest = dirs.manifest("xapp", std::string("version: 1\nsession: {name: it-session}\n") + kSandbox +
                                                    "apps:\n  - {name: note, exec: [sh, -c, 'xdpyinfo >/dev/null && "
                                                    "echo DISPLAY-OK; exec xmessage -timeout 600 hello'],\n"
                                                    "     ready: {wm_class: Xmessage, timeout: 30s}}\n");
    SessionProcess session(dirs, manifest, {"NOTIFY_SOCKET=@" + notify.name});
    BOOST_REQUIRE_MESSAGE(session.wait_for("DISPLAY-OK", 60'000), session.output());
    const std::string ready = notify.receive(30'000);
    BOOST_TEST(ready.find("READY=1") != std::string::npos, ready);

    const auto status = session_status(dirs, "it-session");
    BOOST_TEST(status["state"] == "running");
    BOOST_TEST(status["apps"][0]["state"] == "running");
    BOOST_TEST(status["display"].get<std::string>().rfind(":", 0) == 0);
    auto [code, text] = run_deskbox(dirs, {"status", "-s", "it-session"});
    BOOST_TEST(code == 0);
    BOOST_TEST(text.find("session it-session: running") != std::string::npos, text);
    const auto paths = status["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
    const auto pids = cgroup_pids(status);

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit() == 0, session.output());
    BOOST_TEST(notify.receive(5'000).find("STOPPING=1") != std::string::npos);
    BOOST_TEST(wait_pids_gone(pids, 1000));
    BOOST_TEST(leftovers(dirs, "it-session", paths).empty());
    std::ifstream kept(dirs.state() / "it-session" / "status.json");
    const auto last = nlohmann::json::parse(kept);
    BOOST_TEST(last["state"] == "ended");
    BOOST_TEST(last["reason"] == "received SIGTERM");
    BOOST_TEST(run_deskbox(dirs, {"status", "-s", "it-session"}).first == 1);
}

BOOST_AUTO_TEST_CASE(two_sessions_cannot_see_each_other) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string files = "  files: [{from: " + probe_bin() + ", to: ~/probe}]\n";
    const std::string sb = "sandbox:\n  memory: 512M\n  pids: 128\n  home_size: 32M\n  tmp_size: 32M\n" + files +
                           "network: {mode: none}\n";
    SessionProcess a(dirs, dirs.manifest("a", "version: 1\nsession: {name: it-a}\n" + sb +
                                                  "apps:\n  - {name: listen, exec: [~/probe, listen, it-a]}\n"));
    BOOST_REQUIRE_MESSAGE(a.wait_for("PROBE-LISTENING it-a ok", 60'000), a.output());
    SessionProcess b(dirs, dirs.manifest("b", "version: 1\nsession: {name: it-b}\n" + sb +
                                                  "apps:\n  - {name: peek, exec: [~/probe, peek, it-a]}\n"));
    BOOST_REQUIRE_MESSAGE(b.wait_for("PROBE-DONE", 60'000), b.output());
    BOOST_TEST(b.output().find("PROBE-DONE 0") != std::string::npos, b.output());
    BOOST_TEST(b.output().find(" FAIL ") == std::string::npos, b.output());
    // Different host id ranges.
    BOOST_TEST(session_status(dirs, "it-a")["sandbox"]["host_uid_base"] !=
               session_status(dirs, "it-b")["sandbox"]["host_uid_base"]);
    b.signal(SIGTERM);
    a.signal(SIGTERM);
    BOOST_TEST(b.wait_exit() == 0, b.output());
    BOOST_TEST(a.wait_exit() == 0, a.output());
}

BOOST_AUTO_TEST_CASE(x_server_crash_ends_the_session_with_a_reason) {
    if (!require_root()) return;
    TestDirs dirs;
    const auto manifest = dirs.manifest("xcrash", std::string("version: 1\nsession: {name: it-xcrash}\n") + kSandbox +
                                                      "apps:\n  - {name: holder, exec: [sh, -c, 'xdpyinfo >/dev/null "
                                                      "&& echo DISPLAY-OK; exec sleep infinity']}\n");
    SessionProcess session(dirs, manifest);
    // Fully started (every service up), so the crash is not a start-up failure.
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 60'000), session.output());
    const auto status = session_status(dirs, "it-xcrash");
    const auto paths = status["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
    pid_t xvfb = 0;
    for (pid_t pid : cgroup_pids(status)) {
        std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
        std::string name;
        comm >> name;
        if (name == "Xvfb") xvfb = pid;
    }
    BOOST_REQUIRE(xvfb > 0);
    kill(xvfb, SIGKILL);
    BOOST_TEST(session.wait_exit() == 1, session.output());
    BOOST_TEST(session.output().find("ending: the X server killed by signal 9") != std::string::npos, session.output());
    BOOST_TEST(leftovers(dirs, "it-xcrash", paths).empty());
}
