// The permission model of a root session (docs/permissions.md), checked as
// real host users: a member of "deskbox" drives the agent socket but cannot
// reach the reviewer socket; a member of "deskbox-review" approves (and the
// audit log records who, from SO_PEERCRED); a user in neither group reaches
// nothing; nobody but root lists the session dir or reads its audit log. Also
// how the CLI of an ordinary user finds a system session in /run/deskbox.
#define BOOST_TEST_MODULE deskbox socket permission tests
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_client.h"
#include "supervisor/session/paths.h"
#include "tests/integration/session_harness.h"
#include "tests/integration/test_accounts.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

const char* kAgentUser = "dbxt-agent";
const char* kReviewUser = "dbxt-review";
const char* kNobodyUser = "dbxt-none";

const char* kPolicy = R"(version: 1
default: deny
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: observe, when: {action: [screenshot, cursor_position, wait]}, tier: low}
  - {name: clicking needs a reviewer, when: {action: [click]}, tier: high}
)";

std::string manifest_yaml(const std::string& name, const std::filesystem::path& policy) {
    return "session: {name: " + name +
           "}\n"
           "sandbox: {memory: 512M, pids: 128}\n"
           "apps:\n  - {name: holder, exec: [sleep, infinity]}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

std::vector<std::string> client_env(const TestDirs& dirs) {
    return {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "DESKBOX_RUNTIME_DIR=" + dirs.runtime().string()};
}

mode_t mode_of(const std::filesystem::path& p) {
    struct stat st {};
    BOOST_REQUIRE_MESSAGE(lstat(p.c_str(), &st) == 0, "stat " << p);
    return st.st_mode & 07777;
}

gid_t group_of(const std::filesystem::path& p) {
    struct stat st {};
    BOOST_REQUIRE_MESSAGE(lstat(p.c_str(), &st) == 0, "stat " << p);
    return st.st_gid;
}

}  // namespace

BOOST_AUTO_TEST_CASE(group_members_reach_only_their_socket) {
    if (!require_root()) return;
    TestAccounts accounts({"deskbox", "deskbox-review"},
                          {{kAgentUser, {"deskbox"}}, {kReviewUser, {"deskbox-review"}}, {kNobodyUser, {}}});
    const Account& agent_user = accounts.user(kAgentUser);
    const Account& review_user = accounts.user(kReviewUser);
    const Account& nobody = accounts.user(kNobodyUser);

    TestDirs dirs;
    // The test's private runtime dir stands in for /run/deskbox (0755 there).
    std::filesystem::permissions(dirs.root(), std::filesystem::perms(0711));
    std::filesystem::permissions(dirs.runtime(), std::filesystem::perms(0755));
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kPolicy;
    std::filesystem::permissions(policy, std::filesystem::perms(0600));
    const std::string name = "perm-sockets";
    SessionProcess session(dirs, dirs.manifest(name, manifest_yaml(name, policy)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    const auto dir = dirs.runtime() / name;
    const auto agent_sock = (dir / "agent.sock").string();
    const auto review_sock = (dir / "review.sock").string();
    const gid_t deskbox_gid = getgrnam("deskbox")->gr_gid;
    const gid_t review_gid = getgrnam("deskbox-review")->gr_gid;

    // The layout as documented.
    BOOST_TEST(mode_of(dir) == 0711u);
    BOOST_TEST(mode_of(agent_sock) == 0660u);
    BOOST_TEST(group_of(agent_sock) == deskbox_gid);
    BOOST_TEST(mode_of(review_sock) == 0660u);
    BOOST_TEST(group_of(review_sock) == review_gid);
    BOOST_TEST(mode_of(dir / "status.json") == 0640u);
    BOOST_TEST(group_of(dir / "status.json") == deskbox_gid);
    BOOST_TEST((mode_of(dir / "audit.jsonl") & 077) == 0u);

    // What the kernel lets each user do.
    BOOST_TEST(connect_errno_as(agent_user, agent_sock) == 0);
    BOOST_TEST(connect_errno_as(agent_user, review_sock) == EACCES);
    BOOST_TEST(connect_errno_as(review_user, review_sock) == 0);
    BOOST_TEST(connect_errno_as(review_user, agent_sock) == EACCES);
    BOOST_TEST(connect_errno_as(nobody, agent_sock) == EACCES);
    BOOST_TEST(connect_errno_as(nobody, review_sock) == EACCES);
    for (const Account* who : {&agent_user, &review_user, &nobody}) {
        BOOST_TEST(open_errno_as(*who, dir.string(), O_DIRECTORY) == EACCES, who->name << " lists the session dir");
        BOOST_TEST(open_errno_as(*who, (dir / "audit.jsonl").string()) == EACCES, who->name << " reads the audit log");
    }
    BOOST_TEST(open_errno_as(agent_user, (dir / "status.json").string()) == 0);
    BOOST_TEST(open_errno_as(nobody, (dir / "status.json").string()) == EACCES);

    // The real CLI as the agent user: a screenshot through agent.sock, and its status.
    const auto env = client_env(dirs);
    const auto [shot_code, shot_out] =
        run_as(agent_user, {deskbox_bin(), "act", "-s", name, R"({"action":"screenshot"})"}, env);
    BOOST_TEST(shot_code == 0, shot_out);
    BOOST_TEST(shot_out.find("iVBORw0KGgo") != std::string::npos, shot_out.substr(0, 400));
    const auto [status_code, status_out] = run_as(agent_user, {deskbox_bin(), "status", "-s", name}, env);
    BOOST_TEST(status_code == 0, status_out);
    // ...but not the reviewer's commands; nor anything for a user in neither group.
    const auto [agent_review_code, agent_review_out] =
        run_as(agent_user, {deskbox_bin(), "approvals", "-s", name}, env);
    BOOST_TEST(agent_review_code != 0, agent_review_out);
    BOOST_TEST(agent_review_out.find("Permission denied") != std::string::npos, agent_review_out);
    const auto [nobody_code, nobody_out] =
        run_as(nobody, {deskbox_bin(), "act", "-s", name, R"({"action":"screenshot"})"}, env);
    BOOST_TEST(nobody_code != 0, nobody_out);
    BOOST_TEST(nobody_out.find("Permission denied") != std::string::npos, nobody_out);

    // A high-risk action waits for a reviewer. The agent socket cannot answer
    // it; the agent user's CLI cannot reach the reviewer socket; the reviewer can.
    AgentClient agent(agent_sock);
    std::string approval_id;
    // A click (on the bare root: this session has no window, so keys would go nowhere).
    Json submitted = agent.call({{"id", 1}, {"action", "left_click"}, {"coordinate", {10, 10}}}, [&](const Json&
                                                                                                         interim) {
        approval_id = interim.value("approval_id", "");
        AgentClient second(agent_sock);
        const Json self_approve = second.call({{"id", 2}, {"type", "approve"}, {"approval", approval_id}});
        BOOST_TEST(!self_approve.value("ok", false), self_approve.dump());
        const auto [deny_code, deny_out] = run_as(agent_user, {deskbox_bin(), "approve", "-s", name, approval_id}, env);
        BOOST_TEST(deny_code != 0, deny_out);
        const auto [list_code, list_out] = run_as(review_user, {deskbox_bin(), "approvals", "-s", name}, env);
        BOOST_TEST(list_code == 0, list_out);
        BOOST_TEST(list_out.find(approval_id) != std::string::npos, list_out);
        const auto [ok_code, ok_out] =
            run_as(review_user, {deskbox_bin(), "approve", "-s", name, approval_id, "--note", "perm-test"}, env);
        BOOST_TEST(ok_code == 0, ok_out);
    });
    BOOST_TEST_REQUIRE(!approval_id.empty(), submitted.dump());
    BOOST_TEST(submitted["ok"].get<bool>(), submitted.dump());

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());

    // The audit log names the reviewer as the kernel identified them.
    std::ifstream in(dirs.state() / name / "audit.jsonl");
    bool found = false;
    for (std::string line; std::getline(in, line);) {
        const Json record = Json::parse(line, nullptr, false);
        if (record.is_discarded() || record.value("type", "") != "approval") continue;
        const Json by = record["data"].value("by", Json::object());
        BOOST_TEST(by.value("user", "") == kReviewUser, line);
        BOOST_TEST(by.value("uid", -1) == static_cast<std::int64_t>(review_user.uid), line);
        found = true;
    }
    BOOST_TEST(found, "no approval record in the audit log");
}

// An ordinary user's CLI finds its own session first, else the system session
// in /run/deskbox (checked in a child that really is that user).
BOOST_AUTO_TEST_CASE(a_user_finds_the_system_session) {
    if (!require_root()) return;
    TestAccounts accounts({"deskbox"}, {{kAgentUser, {"deskbox"}}});
    const Account& user = accounts.user(kAgentUser);
    const std::string name = "dbxt-lookup-" + std::to_string(getpid());
    const std::filesystem::path system_dir = std::filesystem::path("/run/deskbox") / name;
    std::filesystem::create_directories(system_dir);
    TestDirs dirs;
    std::filesystem::permissions(dirs.root(), std::filesystem::perms(0755));
    const auto xdg = dirs.root() / "xdg";
    std::filesystem::create_directories(xdg);

    auto found_by_user = [&](const std::filesystem::path& expected) {
        return probe_as(user, [&] {
            unsetenv("DESKBOX_RUNTIME_DIR");
            setenv("XDG_RUNTIME_DIR", xdg.c_str(), 1);
            return find_session_dir(name) == expected ? 0 : 1;
        });
    };
    BOOST_TEST(found_by_user(system_dir) == 0);  // no session of the user's own: the system one
    std::filesystem::create_directories(xdg / "deskbox" / name);
    BOOST_TEST(found_by_user(xdg / "deskbox" / name) == 0);  // the user's own comes first
    BOOST_TEST(probe_as(user, [&] {
                   unsetenv("XDG_RUNTIME_DIR");
                   setenv("DESKBOX_RUNTIME_DIR", "/elsewhere", 1);
                   return find_session_dir(name) == std::filesystem::path("/elsewhere") / name ? 0 : 1;
               }) == 0);  // an explicit runtime dir wins
    std::filesystem::remove(system_dir);
}
