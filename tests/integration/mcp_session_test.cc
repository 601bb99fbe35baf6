// `deskbox mcp` against a real session, driven by the official MCP
// TypeScript SDK (tests/integration/mcp_client_test.mjs): stdio, Streamable
// HTTP on TCP with bearer tokens, and HTTP on a Unix socket. The script
// checks each answer; this test starts the session, runs it, and reads the
// audit log afterwards: every MCP action is there under its agent's name, the
// denial under its rule, the approvals with their reviewer decision.
#define BOOST_TEST_MODULE deskbox mcp session tests
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "supervisor/control/jsonl_channel.h"
#include "tests/integration/client_process.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

const char* kPolicy = R"(version: 1
default: allow
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: no forbidden words, when: {action: [type], text: "(?i)forbidden"}, decision: deny}
  - {name: ask a reviewer, when: {action: [type], text: "needs-review"}, tier: high}
)";

std::vector<Json> audit_records(const std::filesystem::path& file, const std::string& type) {
    std::ifstream in(file);
    std::vector<Json> out;
    for (std::string line; std::getline(in, line);) {
        Json record = Json::parse(line, nullptr, false);
        if (!record.is_discarded() && record.value("type", "") == type) out.push_back(std::move(record));
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(official_sdk_client_over_stdio_http_and_unix_socket) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "e2e-mcp";
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kPolicy;
    const std::string manifest = entry_manifest_yaml(name, policy, ", budget: {actions_per_second: 100}");
    SessionProcess session(dirs, dirs.manifest(name, manifest));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    const auto audit = dirs.runtime() / name / "audit.jsonl";  // in the session dir while it runs
    const std::string source = std::getenv("DESKBOX_SOURCE_ROOT");
    const std::filesystem::path sdk =
        std::filesystem::path(source) / "tests/clients/node_modules/@modelcontextprotocol/sdk";
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists(sdk),
                          "the MCP SDK is not installed: run packaging/install-test-clients.sh (" + sdk.string() + ")");
    // The script and the deskbox commands it runs inherit these.
    setenv("DESKBOX_RUNTIME_DIR", dirs.runtime().c_str(), 1);
    setenv("DESKBOX_STATE_DIR", dirs.state().c_str(), 1);
    setenv("DESKBOX_TOKEN_DIR", (dirs.root() / "tokens").c_str(), 1);
    setenv("MCP_SESSION", name.c_str(), 1);
    setenv("MCP_AUDIT", audit.c_str(), 1);
    setenv("MCP_UNIX_SOCKET", (dirs.root() / "mcp.sock").c_str(), 1);
    ClientProcess client({"node", source + "/tests/integration/mcp_client_test.mjs"}, "", -1, 600'000);
    try {
        client.wait();
    } catch (const std::exception& e) {
        BOOST_FAIL(std::string(e.what()) + "\nsession output:\n" + session.output());
    }
    BOOST_TEST_MESSAGE(client.output());
    BOOST_TEST(client.output().find("mcp-test: all passed") != std::string::npos, client.output());

    // The audit log, read back: each transport's click under its agent, the
    // denial with its rule, and the approvals decided by the reviewer.
    std::map<std::string, int> clicks;
    for (const Json& p : audit_records(audit, "proposal"))
        if (p["data"]["action"].value("kind", "") == "click") ++clicks[p["data"].value("agent", "(none)")];
    BOOST_TEST(clicks["stdio-agent"] == 1);
    BOOST_TEST(clicks["http-agent"] == 1);  // the click after the revocation never got in
    BOOST_TEST(clicks["unix-agent"] == 1);
    BOOST_TEST(clicks.count("(none)") == 0u);
    int denials = 0;
    for (const Json& d : audit_records(audit, "decision"))
        if (d["data"].value("rule", "") == "no forbidden words" && d["data"].value("outcome", "") == "deny") ++denials;
    BOOST_TEST(denials == 2);  // stdio and TCP
    BOOST_TEST(audit_records(audit, "approval").size() >= 2u, "approval records");

    const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(code == 0, out);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}
