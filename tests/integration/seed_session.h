// Chromium sessions on the seed site (seed_site.h) under the shipped policy
// policy/examples/ci-incident.yaml, driven through the agent socket: the
// helpers the seed scenarios and the console's browser test share.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "supervisor/control/agent_client.h"
#include "tests/integration/seed_site.h"
#include "tests/integration/session_harness.h"

namespace deskbox::test {

constexpr int kPageTimeoutMs = 60'000;

bool contains(const std::string& haystack, const std::string& needle);
std::string slurp(const std::filesystem::path& p);

// The shipped example policy (it allows the host commands of the verify check).
std::filesystem::path seed_policy(const TestDirs& dirs);
// A manifest running Chromium on `url` of the seed site (`host` resolved to
// it); `review` is the manifest's review section (no VNC by default).
std::string chromium_manifest(const std::string& name, const std::string& host, const std::string& url,
                              const std::string& title, const SeedSite& site, const std::filesystem::path& policy,
                              const std::string& extra = {},
                              const std::string& review = "{vnc: {enabled: false}, approval_timeout: 5m}");

// Waits until `needle` is in the accessibility tree (see seed_session.cc).
void wait_for_tree(AgentClient& agent, const std::string& needle, bool interactive);
// A visible interactive element (role as AT-SPI names it: "push button").
void wait_for_element(AgentClient& agent, std::string role, const std::string& name);
// One request, retried after a budget:rate refusal (pacing, not readiness).
Json act(AgentClient& agent, const Json& request, const std::function<void(const Json&)>& on_pending = {});
Json click(AgentClient& agent, const std::string& role, const std::string& name,
           const std::function<void(const Json&)>& on_pending = {});
// The ended session's audit log: its hash chain must verify; returns `deskbox audit show`.
std::string verified_timeline(const TestDirs& dirs, const std::string& name);

}  // namespace deskbox::test
