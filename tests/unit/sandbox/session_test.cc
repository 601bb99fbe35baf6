// Session pieces that need no privileges: names, paths, status rendering,
// sd_notify datagrams, the lock.
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>

#include "supervisor/base/error.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/sd_notify.h"
#include "supervisor/session/session_lock.h"
#include "supervisor/session/status.h"

using namespace deskbox;

BOOST_AUTO_TEST_CASE(session_names_are_checked_with_a_reason) {
    validate_session_name("ci-incident_2.b");
    BOOST_CHECK_EXCEPTION(validate_session_name("../etc"), Error, [](const Error& e) {
        return std::string(e.what()) == "session name '../etc': must not start with '.' or '-'";
    });
    BOOST_CHECK_EXCEPTION(validate_session_name("a/b"), Error, [](const Error& e) {
        return std::string(e.what()) == "session name 'a/b': only letters, digits, '_', '-' and '.' are allowed";
    });
    BOOST_CHECK_THROW(validate_session_name(""), Error);
    BOOST_CHECK_THROW(validate_session_name(std::string(49, 'a')), Error);
}

BOOST_AUTO_TEST_CASE(paths_follow_the_overrides) {
    setenv("DESKBOX_RUNTIME_DIR", "/tmp/rt", 1);
    setenv("DESKBOX_STATE_DIR", "/tmp/st", 1);
    BOOST_TEST(session_dir("s") == "/tmp/rt/s");
    BOOST_TEST(session_lock_path("s") == "/tmp/rt/s.lock");
    BOOST_TEST(staging_dir("s") == "/tmp/rt/s/sandbox");
    BOOST_TEST(logs_dir("s") == "/tmp/st/s");
    unsetenv("DESKBOX_RUNTIME_DIR");
    unsetenv("DESKBOX_STATE_DIR");
}

BOOST_AUTO_TEST_CASE(status_renders_readably) {
    SessionStatus s;
    s.name = "demo";
    s.state = "running";
    s.memory_limit = 256ull << 20;
    s.pids_limit = 64;
    s.cpu_limit = 1;
    s.pids_max_events = 3;
    s.cgroup_version = "v1";
    s.apps.push_back({"editor", "running", 5, 1, "exited with status 1"});
    const std::string text = format_status(status_to_json(s));
    BOOST_TEST(text.find("session demo: running") != std::string::npos, text);
    BOOST_TEST(text.find("pids max 3") != std::string::npos, text);
    BOOST_TEST(text.find("editor: running, pid 5, restarts 1, last exited with status 1") != std::string::npos, text);
    BOOST_TEST(text.find("(cgroup v1)") != std::string::npos, text);
    // A document with missing or odd fields still renders.
    BOOST_TEST(format_status(nlohmann::json::parse(R"({"name": 3, "apps": [{}]})")).find("session : ") == 0u);
}

BOOST_AUTO_TEST_CASE(sd_notify_sends_one_datagram_to_an_abstract_socket) {
    const std::string name = "deskbox-unit-notify-" + std::to_string(getpid());
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + 1, name.data(), name.size());
    BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a),
                       static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())) == 0);
    unsetenv("NOTIFY_SOCKET");
    BOOST_TEST(!sd_notify("READY=1"));
    setenv("NOTIFY_SOCKET", ("@" + name).c_str(), 1);
    BOOST_TEST(sd_notify("READY=1\nSTATUS=up"));
    char buf[64] = {};
    BOOST_TEST(recv(fd, buf, sizeof buf, MSG_DONTWAIT) == 17);
    BOOST_TEST(std::string(buf) == "READY=1\nSTATUS=up");
    unsetenv("NOTIFY_SOCKET");
    close(fd);
}

BOOST_AUTO_TEST_CASE(a_live_lock_refuses_a_second_holder_and_release_unlinks) {
    char tmpl[] = "/tmp/deskbox-lock-test-XXXXXX";
    const std::filesystem::path dir = mkdtemp(tmpl);
    const auto path = dir / "s.lock";
    SessionLock first = SessionLock::acquire(path, "s");
    BOOST_CHECK_EXCEPTION(SessionLock::acquire(path, "s"), Error, [](const Error& e) {
        return std::string(e.what()).find("session s is already running (supervisor pid " + std::to_string(getpid())) ==
               0;
    });
    first.release();
    BOOST_TEST(!std::filesystem::exists(path));
    SessionLock again = SessionLock::acquire(path, "s");
    again.release();
    std::filesystem::remove_all(dir);
}
