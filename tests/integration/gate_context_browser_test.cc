// The gate's context in real browsers: text typed into a password field
// (Chromium, Firefox) is never written to the audit log. Part of the
// gate-context test (gate_context_test.cc has its module).
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>

#include "supervisor/control/agent_client.h"
#include "tests/integration/gate_context_support.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;
using namespace deskbox::test::gate_context;
namespace fs = std::filesystem;

namespace {

// A page with one password field, as a data: URL (no network needed).
const char* kPasswordPage =
    "data:text/html,<title>pw-page</title><label for=p>Password</label>"
    "<input id=p type=password autofocus>";

std::string browser_manifest(const std::string& name, const std::string& browser, const fs::path& policy) {
    const std::string exec =
        browser == "chromium"
            ? "[chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking, "
              "--disable-component-update, --disable-sync, --user-data-dir=/tmp/profile, '" +
                  std::string(kPasswordPage) + "']"
            // Firefox refuses top-level data: URLs: the same page from a file the app writes first.
            : "[sh, -c, 'printf \"%s\" \"$0\" > /tmp/pw.html && mkdir -p /tmp/ff && exec firefox-esr --no-remote "
              "--new-instance --profile /tmp/ff file:///tmp/pw.html', '" +
                  std::string(kPasswordPage).substr(15) + "']";
    return "session: {name: " + name +
           "}\n"
           "sandbox: {memory: 2G, pids: 1024}\n"
           "apps:\n"
           "  - name: browser\n"
           "    exec: " +
           exec +
           "\n"
           "    ready: {title: pw-page, timeout: 180s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

// The browser draws the page some time after its window appears, and lists the
// field before it has laid it out: look for the password field with a box in
// the tree after each settled screenshot (an event, not a timer).
std::pair<int, int> wait_for_password_field(AgentClient& agent, const TestDirs& dirs, const std::string& name) {
    for (int attempt = 0; attempt < 60; ++attempt) {
        if (auto centre = find_centre_of(dirs, name, "password text")) return *centre;
        agent.call({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}});
    }
    return centre_of(dirs, name, "password text");  // fails, with the tree
}

void browser_password_is_never_written(const std::string& browser) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-pw-" + browser.substr(0, 6);
    const std::string secret = "Br0wser-Secret-77";
    const auto policy = write_policy(dirs, kTypingPolicy);
    SessionProcess session(dirs, dirs.manifest(name, browser_manifest(name, browser, policy)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 200'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [x, y] = wait_for_password_field(agent, dirs, name);
    BOOST_TEST_REQUIRE(act(agent, {{"action", "left_click"}, {"coordinate", {x, y}}})["ok"].get<bool>());
    wait_until_focused(agent, x, y);
    // The focused element is known to be a password field once the browser
    // says so; typing then must not be recorded.
    Json typed = act(agent, {{"action", "type"}, {"text", secret}});
    BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());
    BOOST_TEST(typed.dump().find(secret) == std::string::npos);
    const auto [tree_code, tree] = run_deskbox(dirs, {"tree", "-s", name, "--format", "json"});
    BOOST_TEST(tree_code == 0);
    BOOST_TEST(tree.find(secret) == std::string::npos);
    const std::string audit = audit_of(dirs, name);
    BOOST_TEST(audit.find(secret) == std::string::npos);
    BOOST_TEST(audit.find("[NOT RECORDED: password field]") != std::string::npos,
               audit.substr(audit.size() > 3000 ? audit.size() - 3000 : 0));
    BOOST_TEST(audit.find("\"text_length\":" + std::to_string(secret.size())) != std::string::npos);
    const auto [show_code, shown] =
        run_deskbox(dirs, {"audit", "show", (dirs.runtime() / name / "audit.jsonl").string()});
    BOOST_TEST(shown.find(secret) == std::string::npos);
    const auto [status_code, status] = run_deskbox(dirs, {"status", "-s", name});
    BOOST_TEST(status.find(secret) == std::string::npos);
    session.signal(SIGTERM);
    session.wait_exit(60'000);
    BOOST_TEST(audit_of(dirs, name).find(secret) == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(chromium_password_text_is_never_written) {
    browser_password_is_never_written("chromium");
}

BOOST_AUTO_TEST_CASE(firefox_password_text_is_never_written) {
    browser_password_is_never_written("firefox-esr");
}
