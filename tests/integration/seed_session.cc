// Helpers shared by the tests that run Chromium sessions on the seed site.
#include "tests/integration/seed_session.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/session_harness.h"

namespace deskbox::test {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The shipped example policy (it allows the host commands of the verify check).
std::filesystem::path seed_policy(const TestDirs&) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_TEST_REQUIRE(root != nullptr, "DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    return std::filesystem::path(root) / "policy/examples/ci-incident.yaml";
}

std::string chromium_manifest(const std::string& name, const std::string& host, const std::string& url,
                              const std::string& title, const SeedSite& site, const std::filesystem::path& policy,
                              const std::string& extra, const std::string& review) {
    const std::string port = std::to_string(site.port());
    return "session: {name: " + name +
           ", budget: {steps: 500, actions_per_second: 5}}\n"
           "sandbox: {memory: 2G, pids: 1024}\n"
           "network: {mode: allowlist, allow: [" +
           host + "], ports: [" + port + "], resolve: {" + host + ": '127.0.0.1:" + port +
           "'}}\n"
           "apps:\n"
           "  - name: browser\n"
           "    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,\n"
           "           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile, '" +
           url +
           "']\n"
           "    ready: {title: '" +
           title +
           "', timeout: 180s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: " +
           review + "\n" + extra;
}

// The browser renders a page some time after the site served it: wait until
// `needle` is in the accessibility tree (interactive elements as OSWorld's
// linearized table, or the whole tree as JSON). Between looks, a settled
// screenshot waits for the screen to stop changing (an event, not a sleep).
void wait_for_tree(AgentClient& agent, const std::string& needle, bool interactive) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPageTimeoutMs);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        Json request = {{"action", "tree"}};
        if (interactive) request.update({{"format", "linearized"}, {"interactive_only", true}});
        const Json tree = agent.call_paced(request);
        last = tree.dump();
        if (tree.value("ok", false) && contains(last, needle)) return;
        agent.call_paced({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}});
    }
    BOOST_FAIL("'" + needle + "' did not appear in the tree within " + std::to_string(kPageTimeoutMs) +
               " ms; last tree reply: " + last);
}

// A visible interactive element (role as AT-SPI names it: "push button").
void wait_for_element(AgentClient& agent, std::string role, const std::string& name) {
    for (char& c : role)
        if (c == ' ') c = '-';  // OSWorld's tag names
    // The linearized table is JSON-escaped inside the reply: its tabs read "\t".
    wait_for_tree(agent, role + "\\t" + name + "\\t", true);
}

// The policy allows 5 actions per second and the waits above spend some: a
// refusal by the rate limit (never one by a rule) is proposed again when the
// session says its bucket has refilled (retry_after_ms).
Json act(AgentClient& agent, const Json& request, const std::function<void(const Json&)>& on_pending) {
    return agent.call_paced(request, on_pending);
}

Json click(AgentClient& agent, const std::string& role, const std::string& name,
           const std::function<void(const Json&)>& on_pending) {
    wait_for_element(agent, role, name);
    return act(agent, {{"action", "click_element"}, {"role", role}, {"name", name}}, on_pending);
}

// The ended session's audit log: its hash chain must verify; returns `deskbox audit show`.
std::string verified_timeline(const TestDirs& dirs, const std::string& name) {
    const auto audit = dirs.state() / name / "audit.jsonl";
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", audit.string()});
    BOOST_TEST(verify_code == 0, verify_out);
    const auto [show_code, timeline] = run_deskbox(dirs, {"audit", "show", audit.string()});
    BOOST_TEST(show_code == 0, timeline);
    return timeline;
}

}  // namespace deskbox::test
