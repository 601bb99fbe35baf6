// The permission rules of a session dir (session_access.h), sockets created
// with their group and mode (unix_listener.h), status.json's group, and where
// clients look for a session. The same model as real users in real groups is
// tested in tests/integration/socket_permissions_test.cc.
#include "supervisor/session/session_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "supervisor/base/event_loop.h"
#include "supervisor/control/unix_listener.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/status.h"

using namespace deskbox;

namespace {

struct TempDir {
    TempDir() {
        char tmpl[] = "/tmp/deskbox-access-XXXXXX";
        BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::filesystem::path path;
};

// A group this process may give files to: any as root, its own otherwise.
gid_t some_group() {
    return geteuid() == 0 ? 4321 : getegid();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_user_session_is_the_users_alone) {
    std::ostringstream log;
    const SessionAccess a = compute_session_access(false, log);
    BOOST_TEST(a.dir_mode == 0700u);
    BOOST_TEST(a.agent_socket.mode == 0600u);
    BOOST_TEST(!a.agent_socket.group.has_value());
    BOOST_TEST(a.review_socket.mode == 0600u);
    BOOST_TEST(!a.review_socket.group.has_value());
    BOOST_TEST(!a.status_group.has_value());
    BOOST_TEST(log.str().empty());
}

BOOST_AUTO_TEST_CASE(a_root_session_shares_each_socket_with_its_group_when_it_exists) {
    std::ostringstream log;
    const SessionAccess a = compute_session_access(true, log);
    BOOST_TEST(a.dir_mode == 0711u);
    const auto agent = lookup_group(kAgentGroup);
    const auto review = lookup_group(kReviewGroup);
    BOOST_TEST(a.agent_socket.mode == (agent ? 0660u : 0600u));
    BOOST_TEST((a.agent_socket.group == agent));
    BOOST_TEST((a.status_group == agent));
    BOOST_TEST(a.review_socket.mode == (review ? 0660u : 0600u));
    BOOST_TEST((a.review_socket.group == review));
    // One line per missing group, naming it and what that means.
    BOOST_TEST((log.str().find("group deskbox does not exist: agent.sock stays root-only") != std::string::npos) ==
               !agent);
    BOOST_TEST((log.str().find("group deskbox-review does not exist: review.sock stays root-only") !=
                std::string::npos) == !review);
}

BOOST_AUTO_TEST_CASE(groups_are_looked_up) {
    BOOST_TEST((lookup_group("root") == std::optional<gid_t>(0)));
    BOOST_TEST(!lookup_group("deskbox-no-such-group").has_value());
}

BOOST_AUTO_TEST_CASE(a_socket_gets_its_group_and_mode_before_anyone_connects) {
    TempDir dir;
    EventLoop loop;
    const auto shared = (dir.path / "shared.sock").string();
    const auto own = (dir.path / "own.sock").string();
    UnixListener with_group(loop, shared, SocketAccess{0660, some_group()}, [](UniqueFd) {});
    UnixListener owner_only(loop, own, 0600, [](UniqueFd) {});
    struct stat st {};
    BOOST_REQUIRE(lstat(shared.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0660u);
    BOOST_TEST(st.st_gid == some_group());
    BOOST_TEST(st.st_uid == geteuid());
    BOOST_REQUIRE(lstat(own.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0600u);
    BOOST_TEST(st.st_gid == getegid());
}

BOOST_AUTO_TEST_CASE(status_json_is_the_groups_to_read_or_nobodys) {
    TempDir dir;
    SessionStatus s;
    s.name = "demo";
    write_status_file(dir.path / "shared.json", s, some_group());
    write_status_file(dir.path / "own.json", s);
    struct stat st {};
    BOOST_REQUIRE(lstat((dir.path / "shared.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0640u);
    BOOST_TEST(st.st_gid == some_group());
    BOOST_REQUIRE(lstat((dir.path / "own.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0600u);
}

BOOST_AUTO_TEST_CASE(an_explicit_runtime_dir_is_where_clients_look) {
    setenv("DESKBOX_RUNTIME_DIR", "/tmp/rt", 1);
    BOOST_TEST(find_session_dir("s") == "/tmp/rt/s");
    unsetenv("DESKBOX_RUNTIME_DIR");
    if (geteuid() == 0) BOOST_TEST(find_session_dir("s") == "/run/deskbox/s");
}
