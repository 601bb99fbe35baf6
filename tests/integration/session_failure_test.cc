// An error in an event-loop callback never takes the supervisor down
// uncleanly: the session ends through its ordinary teardown, the error is on
// stderr and in the teardown record (the audit log's last: its reason and the
// error text), nothing is left (processes, session dir, lock, cgroup).
// The injected failure: status.json replaced by a non-empty folder, so the
// next status write (after the agent's action changed the budget use) fails.
#define BOOST_TEST_MODULE deskbox session failure tests
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(a_failing_callback_ends_the_session_through_its_teardown) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-callback-failure";
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "version: 1\ndefault: allow\n";
    SessionProcess session(dirs, dirs.manifest(name, "session: {name: " + name +
                                                         "}\n"
                                                         "sandbox: {memory: 256M, pids: 64}\n"
                                                         "apps:\n  - {name: holder, exec: [sleep, infinity]}\n"
                                                         "policy: " +
                                                         policy.string() +
                                                         "\n"
                                                         "review: {vnc: {enabled: false}}\n"));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 60'000), session.output());
    const Json started = session_status(dirs, name);
    const auto pids = cgroup_pids(started);
    const auto cgroups = started["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
    const fs::path status = dirs.runtime() / name / "status.json";
    fs::remove(status);
    fs::create_directories(status / "blocker");  // rename() onto a non-empty folder fails

    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    agent.call({{"action", "mouse_move"}, {"coordinate", {10, 10}}});  // the budget use changes
    const int code = session.wait_exit(60'000);
    BOOST_TEST(code == 1, session.output());
    BOOST_TEST(session.output().find("ending: internal error: renaming") != std::string::npos, session.output());

    std::ifstream in(dirs.state() / name / "audit.jsonl");
    std::string last, line;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    const Json teardown = Json::parse(last);
    BOOST_TEST(teardown["type"] == "teardown", last);
    BOOST_TEST(teardown["data"]["reason"].get<std::string>().find("internal error: renaming") != std::string::npos,
               last);
    BOOST_TEST(teardown["data"]["exit_code"] == 1, last);
    // The error itself, as the callback threw it, beside the reason.
    BOOST_TEST(teardown["data"]["error"].get<std::string>().find("renaming") != std::string::npos, last);
    const auto [verify_code, verify_out] =
        run_deskbox(dirs, {"audit", "verify", (dirs.state() / name / "audit.jsonl").string()});
    BOOST_TEST(verify_code == 0, verify_out);
    BOOST_TEST(wait_pids_gone(pids));
    const auto left = leftovers(dirs, name, cgroups);
    BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}
