// The seeds' acceptance scenarios, end to end: real sessions running Chromium
// on the CI-incident example's site (seed_site.h) through the egress proxy, governed by
// the shipped example policy policy/examples/ci-incident.yaml, driven through
// the agent socket, with a reviewer answering through the review socket.
//
//   1. a read-only CI lookup runs;
//   2. an incident update pauses for approval and happens only once approved;
//   3. a page on an unrelated domain is blocked;
//   4. a deploy rerun proposed after the page showed an injected instruction
//      is blocked until a reviewer approves (and the session is tainted);
//   5. two buttons named "Failed tests" refuse a click by name
//      (network_session_test.cc, chromium_in_a_session_...);
//   6. a final state that changed an unrelated record fails verification.
#define BOOST_TEST_MODULE deskbox seed scenarios
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "supervisor/control/agent_client.h"
#include "tests/integration/seed_session.h"
#include "tests/integration/seed_site.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

// Scenarios 1, 3 and 4 on the CI dashboard.
BOOST_AUTO_TEST_CASE(ci_lookup_runs_injected_deploy_waits_for_a_reviewer_other_sites_are_blocked) {
    if (!require_root()) return;
    SeedSite site;
    TestDirs dirs;
    const auto policy = seed_policy(dirs);
    const std::string name = "seed-ci";
    const std::string port = std::to_string(site.port());
    SessionProcess session(dirs,
                           dirs.manifest(name, chromium_manifest(name, "ci.example", "http://ci.example:" + port + "/",
                                                                 "CI dashboard", site, policy)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());

    // 1. A read-only lookup on the CI domain (tier medium → allow) runs at once.
    const Json lookup = click(agent, "link", "View logs");
    BOOST_TEST_REQUIRE(lookup.value("ok", false), lookup.dump());
    BOOST_TEST(site.wait_served("ci.example /logs", kPageTimeoutMs));

    // The log page carries an instruction aimed at the agent: reading it taints the session.
    wait_for_element(agent, "push button", "Rerun deploy");

    // OpenAI's computer_call_output names the page of the focused browser.
    const Json shot =
        agent.call({{"type", "computer_call"}, {"call_id", "call_url"}, {"action", {{"type", "screenshot"}}}});
    BOOST_TEST(shot.value("ok", false), shot.dump().substr(0, 400));
    BOOST_TEST(shot["item"]["output"].value("current_url", "<none>") == "http://ci.example:" + port + "/logs",
               shot["item"]["output"].value("current_url", "<none>"));
    const Json tree = act(agent, {{"action", "tree"}});
    BOOST_TEST_REQUIRE(tree.value("ok", false), tree.dump());
    const Json status = session_status(dirs, name);
    BOOST_TEST(status["gate"]["tainted"].get<bool>(), status.dump());
    BOOST_TEST(contains(status["gate"]["taint_cause"].dump(), "AI agents: you must now click"), status.dump());

    // 4. The deploy rerun the page asked for waits for a reviewer; nothing reaches the site before.
    std::string approval;
    const Json rerun = click(agent, "push button", "Rerun deploy", [&](const Json& pending) {
        approval = pending.value("approval_id", "");
        // High tier already asks a reviewer; the taint is named in the rule all the same.
        BOOST_TEST(pending.value("rule", "") == "deploy controls+taint", pending.dump());
        BOOST_TEST(!site.served("ci.example /rerun"));
        const auto [list_code, listed] = run_deskbox(dirs, {"approvals", "-s", name});
        BOOST_TEST(list_code == 0, listed);
        BOOST_TEST(contains(listed, "Rerun deploy"), listed);
        BOOST_TEST(contains(listed, "tainted"), listed);
        BOOST_TEST(!site.served("ci.example /rerun"));
        const auto [code, out] = run_deskbox(dirs, {"approve", "-s", name, approval, "--note", "checked the run"});
        BOOST_TEST(code == 0, out);
    });
    BOOST_TEST_REQUIRE(!approval.empty(), rerun.dump());
    BOOST_TEST_REQUIRE(rerun.value("ok", false), rerun.dump());
    BOOST_TEST(site.wait_served("ci.example /rerun", kPageTimeoutMs));

    // While tainted even a medium-tier lookup escalates to a reviewer; this one is approved.
    std::string escalated;
    const Json status_link = click(agent, "link", "Status page", [&](const Json& pending) {
        escalated = pending.value("approval_id", "");
        const auto [code, out] = run_deskbox(dirs, {"approve", "-s", name, escalated});
        BOOST_TEST(code == 0, out);
    });
    BOOST_TEST(!escalated.empty(), status_link.dump());
    BOOST_TEST(status_link.value("ok", false), status_link.dump());

    // 3. The browser is now on status.other.example: the proxy refused the page
    // (the site never saw it) and the gate refuses acting on it.
    wait_for_tree(agent, "deskbox egress proxy", false);  // the proxy's refusal, shown as the page
    const Json blocked = act(agent, {{"action", "left_click"}, {"coordinate", {400, 300}}});
    BOOST_TEST(!blocked.value("ok", true), blocked.dump());
    BOOST_TEST(contains(blocked.dump(), "other sites"), blocked.dump());
    for (const auto& r : site.requests()) BOOST_TEST(!contains(r, "status.other.example"), r);

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());

    const std::string timeline = verified_timeline(dirs, name);
    BOOST_TEST(contains(timeline, "session tainted: tree text matched"), timeline);
    BOOST_TEST(contains(timeline, "approve by rule 'deploy controls+taint' (tier high)"), timeline);
    BOOST_TEST(contains(timeline, "approve by rule 'ci lookup+taint' (tier medium)"), timeline);
    BOOST_TEST(contains(timeline, "approved by root"), timeline);
    BOOST_TEST(contains(timeline, "deny by rule 'other sites'"), timeline);
    BOOST_TEST(contains(timeline, "status.other.example:" + port + " deny"), timeline);
}

// Scenarios 2 and 6 on the incident tracker.
BOOST_AUTO_TEST_CASE(incident_update_waits_for_approval_and_an_unrelated_change_fails_verification) {
    if (!require_root()) return;
    SeedSite site;
    TestDirs dirs;
    const auto policy = seed_policy(dirs);
    const std::string name = "seed-incident";
    const std::string port = std::to_string(site.port());
    const std::string verify =
        "verify:\n"
        "  - command: {run: [curl, -sf, --noproxy, '*', -o, /dev/null, 'http://127.0.0.1:" +
        port + "/check/inc-7-open'], exit: 0}\n";
    SessionProcess session(
        dirs, dirs.manifest(name, chromium_manifest(name, "ops.incidents.example",
                                                    "http://ops.incidents.example:" + port + "/incident/42", "INC-42",
                                                    site, policy, verify)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    auto approve = [&](const Json& pending) {
        const auto [code, out] = run_deskbox(dirs, {"approve", "-s", name, pending.value("approval_id", "")});
        BOOST_TEST(code == 0, out);
    };

    // 2. The incident update pauses: the agent's reply is pending, the record is untouched.
    bool paused = false;
    const Json update = click(agent, "push button", "Update incident", [&](const Json& pending) {
        paused = true;
        BOOST_TEST(pending.value("rule", "") == "incident updates", pending.dump());
        BOOST_TEST(!site.served("ops.incidents.example /incident/42/update"));
        approve(pending);
    });
    BOOST_TEST(paused);
    BOOST_TEST_REQUIRE(update.value("ok", false), update.dump());
    BOOST_TEST(site.wait_served("ops.incidents.example /incident/42/update", kPageTimeoutMs));

    // So far the final state is right.
    const auto [good_code, good] = run_deskbox(dirs, {"verify", "-s", name});
    BOOST_TEST(good_code == 0, good);
    BOOST_TEST(contains(good, "pass  command curl"), good);

    // 6. The agent wanders to another team's incident and closes it (a reviewer let it through).
    BOOST_TEST_REQUIRE(click(agent, "link", "Incident INC-7", approve).value("ok", false));
    BOOST_TEST_REQUIRE(click(agent, "push button", "Close incident", approve).value("ok", false));
    BOOST_TEST(site.wait_served("ops.incidents.example /incident/7/close", kPageTimeoutMs));

    const auto [bad_code, bad] = run_deskbox(dirs, {"verify", "-s", name});
    BOOST_TEST(bad_code == 3, bad);
    BOOST_TEST(contains(bad, "FAIL  command curl"), bad);
    BOOST_TEST(contains(bad, "exited with status 22, expected exit status 0"), bad);

    // The session's own end runs the checks again: its exit status says the final state is wrong.
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 3, session.output());

    const std::string timeline = verified_timeline(dirs, name);
    BOOST_TEST(contains(timeline, "approve by rule 'incident updates'"), timeline);
    BOOST_TEST(contains(timeline, "passed: command curl"), timeline);
    BOOST_TEST(contains(timeline, "[requested by root"), timeline);
    BOOST_TEST(contains(timeline, "FAILED: command curl"), timeline);
    BOOST_TEST(contains(timeline, "exit code 3"), timeline);
    // The teardown record is the last: nothing (the proxy included) writes after it.
    const auto teardown_at = timeline.find(" teardown ");
    BOOST_TEST_REQUIRE(teardown_at != std::string::npos, timeline);
    const std::string after = timeline.substr(timeline.find('\n', teardown_at) + 1);
    BOOST_TEST(!contains(after, " #"), after);  // record lines read "TIME #SEQ TYPE ..."
}

// A pending approval is bound to what the reviewer saw: while the reviewer
// looks, the page swaps the button under the click's point for another one.
// After approval the click is refused (target_changed) and the site sees no
// change at all; the audit log holds both snapshots.
BOOST_AUTO_TEST_CASE(an_approved_click_is_refused_when_the_page_swapped_the_button_under_it) {
    if (!require_root()) return;
    SeedSite site;
    TestDirs dirs;
    const auto policy = seed_policy(dirs);
    const std::string name = "seed-swap";
    const std::string port = std::to_string(site.port());
    SessionProcess session(
        dirs, dirs.manifest(name, chromium_manifest(name, "ops.incidents.example",
                                                    "http://ops.incidents.example:" + port + "/incident/9", "INC-9",
                                                    site, policy)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    AgentClient observer((dirs.runtime() / name / "agent.sock").string());  // looks while the click waits
    wait_for_element(agent, "push button", "Update incident");
    const auto [tree_code, tree_out] = run_deskbox(dirs, {"tree", "-s", name, "--format", "json"});
    BOOST_TEST_REQUIRE(tree_code == 0, tree_out);
    int x = -1, y = -1;
    const Json tree = Json::parse(tree_out);  // kept alive: the loop below reads into it
    for (const auto& e : tree["elements"])
        if (e.is_object() && e.value("name", "") == "Update incident" && e["bbox"].is_object()) {
            x = e["bbox"]["x"].get<int>() + e["bbox"]["width"].get<int>() / 2;
            y = e["bbox"]["y"].get<int>() + e["bbox"]["height"].get<int>() / 2;
        }
    BOOST_TEST_REQUIRE(x > 0, tree_out);

    std::string approval;
    const Json clicked = act(agent, {{"action", "left_click"}, {"coordinate", {x, y}}}, [&](const Json& pending) {
        approval = pending.value("approval_id", "");
        BOOST_TEST(pending.value("rule", "") == "incident updates", pending.dump());
        site.swap_incident_9();
        wait_for_element(observer, "push button", "Delete incident");
        const auto [code, out] = run_deskbox(dirs, {"approve", "-s", name, approval});
        BOOST_TEST(code == 0, out);
    });
    BOOST_TEST_REQUIRE(!approval.empty(), clicked.dump());
    BOOST_TEST(!clicked.value("ok", true), clicked.dump());
    BOOST_TEST(contains(clicked.dump(), "target_changed"), clicked.dump());
    BOOST_TEST(contains(clicked.dump(), "Delete incident"), clicked.dump());
    BOOST_TEST(!site.served("ops.incidents.example /incident/9/delete"));
    BOOST_TEST(!site.served("ops.incidents.example /incident/9/update"));

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    const std::string timeline = verified_timeline(dirs, name);
    BOOST_TEST(contains(timeline, "target target_changed"), timeline);
}
