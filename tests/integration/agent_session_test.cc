// End to end through the whole stack: a real session (sandbox, Xvfb, session
// bus, a real GTK app), the agent socket, the policy gate with a reviewer's
// approval, the audit log. What the agent types must arrive in the app; what
// the policy denies must not; the audit log must verify afterwards.
#define BOOST_TEST_MODULE deskbox agent session tests
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

const char* kPolicy = R"(version: 1
default: deny
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: no forbidden words, when: {action: [type], text: "(?i)forbidden"}, decision: deny}
  - {name: submitting needs a reviewer, when: {action: [key], keys: [Return]}, tier: high}
  - {name: pointer and keyboard, when: {action: [mouse_move, click, double_click, type, key]}, tier: medium}
)";

std::string manifest_yaml(const std::string& name, const std::filesystem::path& policy) {
    return "session: {name: " + name +
           ", display: {width: 1024, height: 768}}\n"
           "sandbox: {memory: 1G, pids: 256}\n"
           "apps:\n"
           "  - name: entry\n"
           "    exec: [zenity, --entry, --title, e2e-entry, --text, 'Type here']\n"
           "    ready: {title: e2e-entry, timeout: 60s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(agent_types_into_a_real_app_through_the_gate_and_audit) {
    if (!require_root()) return;
    TestDirs dirs;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kPolicy;
    const std::string name = "e2e-agent";
    SessionProcess session(dirs, dirs.manifest(name, manifest_yaml(name, policy)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    const auto sock = dirs.runtime() / name / "agent.sock";
    AgentClient agent(sock.string());

    // An observation runs (Anthropic dialect) and carries a PNG.
    Json shot = agent.call({{"id", 1}, {"action", "screenshot"}});
    BOOST_TEST_REQUIRE(shot["ok"].get<bool>(), shot.dump());
    const std::string data = shot["tool_result"]["content"][0]["source"]["data"];
    BOOST_TEST(data.rfind("iVBORw0KGgo", 0) == 0);  // base64 of the PNG signature

    // The gate refuses what the policy denies, naming the rule; nothing is typed.
    Json refused = agent.call({{"id", 2}, {"action", "type"}, {"text", "forbidden words"}});
    BOOST_TEST(!refused["ok"].get<bool>(), refused.dump());
    BOOST_TEST(refused.dump().find("no forbidden words") != std::string::npos, refused.dump());

    // Accessibility grounding inside the sandbox: the dialog's buttons with their boxes.
    const auto [tree_code, tree_out] =
        run_deskbox(dirs, {"tree", "-s", name, "--interactive", "--format", "linearized"});
    BOOST_TEST(tree_code == 0, tree_out);
    BOOST_TEST(tree_out.find("push-button\tOK") != std::string::npos, tree_out);
    BOOST_TEST(tree_out.find("push-button\tCancel") != std::string::npos, tree_out);

    // Exact Unicode typing (OSWorld dialect) into the focused GTK entry.
    Json typed = agent.call({{"id", 3}, {"action_type", "TYPING"}, {"parameters", {{"text", "héllo <|> ~中"}}}});
    BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());

    // Return is high risk: it waits for a reviewer, who approves through the review socket.
    std::string approval_id;
    Json submitted = agent.call({{"id", 4}, {"action", "key"}, {"text", "Return"}}, [&](const Json& interim) {
        approval_id = interim.value("approval_id", "");
        const auto [code, out] = run_deskbox(dirs, {"approvals", "-s", name});
        BOOST_TEST(code == 0, out);
        BOOST_TEST(out.find(approval_id) != std::string::npos, out);
        const auto [approve_code, approve_out] =
            run_deskbox(dirs, {"approve", "-s", name, approval_id, "--note", "ok"});
        BOOST_TEST(approve_code == 0, approve_out);
    });
    BOOST_TEST(!approval_id.empty());
    BOOST_TEST(submitted["ok"].get<bool>(), submitted.dump());

    // zenity prints the entry on Enter and exits; its output is the app's log.
    BOOST_TEST_REQUIRE(session.wait_for("[" + name + "] héllo <|> ~中", 30'000), session.output());
    const int code = session.wait_exit(60'000);
    BOOST_TEST(code == 0, session.output());

    // The audit log survives the session and verifies; the denied text never appears.
    const auto audit = dirs.state() / name / "audit.jsonl";
    BOOST_REQUIRE(std::filesystem::exists(audit));
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", audit.string()});
    BOOST_TEST(verify_code == 0, verify_out);
    std::ifstream in(audit);
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(log.find("\"approval\"") != std::string::npos);
    BOOST_TEST(log.find("no forbidden words") != std::string::npos);
    BOOST_TEST(log.find("\"teardown\"") != std::string::npos);
}
