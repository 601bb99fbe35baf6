// Helpers of the gate-context integration tests: policies written to the
// test dir, the session's audit log, the accessibility tree's elements, and
// agent requests that must succeed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

namespace deskbox::test::gate_context {

namespace fs = std::filesystem;

// Observing is low risk; pointer and keys are medium (allowed, audited).
inline const char* const kTypingPolicy = R"(version: 1
default: deny
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: pointer and keyboard, when: {action: [mouse_move, click, type, key]}, tier: medium}
)";

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline fs::path write_policy(const TestDirs& dirs, const std::string& text, const std::string& name = "policy.yaml") {
    const auto path = dirs.root() / name;
    std::ofstream(path) << text;
    return path;
}

// The host pid of the session process whose command is `comm`.
inline pid_t host_pid_of(const TestDirs& dirs, const std::string& session, const std::string& comm) {
    for (pid_t pid : cgroup_pids(session_status(dirs, session))) {
        std::string c = slurp("/proc/" + std::to_string(pid) + "/comm");
        while (!c.empty() && c.back() == '\n') c.pop_back();
        if (c == comm) return pid;
    }
    return -1;
}

// The elements of `deskbox tree --format json` output.
inline std::vector<Json> tree_elements(const std::string& out) {
    std::vector<Json> elements;
    const Json tree = Json::parse(out, nullptr, false);
    const Json* list = tree.is_object() && tree.contains("elements") ? &tree["elements"] : nullptr;
    if (list && list->is_array())
        for (const auto& e : *list)
            if (e.is_object()) elements.push_back(e);
    BOOST_REQUIRE_MESSAGE(!elements.empty(), "no elements in the tree output: " + out.substr(0, 2000));
    return elements;
}

// The centre of the first element of `role` in the session's tree that has a
// box on screen (screen pixels); none while the app has not laid it out yet
// (a browser lists a field before it has a box, or with a box of -1s).
inline std::optional<std::pair<int, int>> find_centre_of(const TestDirs& dirs, const std::string& session,
                                                         const std::string& role) {
    const auto [code, out] = run_deskbox(dirs, {"tree", "-s", session, "--format", "json"});
    BOOST_REQUIRE_MESSAGE(code == 0, out);
    for (const auto& e : tree_elements(out)) {
        if (e.value("role", "") != role || !e["bbox"].is_object()) continue;
        const auto& b = e["bbox"];
        const int width = b.value("width", 0), height = b.value("height", 0);
        if (width <= 0 || height <= 0) continue;
        return std::pair{b["x"].get<int>() + width / 2, b["y"].get<int>() + height / 2};
    }
    return std::nullopt;
}

// As find_centre_of, for an element that must be there now.
inline std::pair<int, int> centre_of(const TestDirs& dirs, const std::string& session, const std::string& role) {
    if (auto centre = find_centre_of(dirs, session, role)) return *centre;
    const auto [code, out] = run_deskbox(dirs, {"tree", "-s", session, "--format", "json"});
    BOOST_FAIL("no " + role + " with a box in the tree: " + out);
    return {-1, -1};
}

inline Json act(AgentClient& agent, Json request) {
    return agent.call(std::move(request));
}

// The app takes the focus when it handles the click, after the click's own
// round trip. A careful agent looks (hit test) until the field says it has
// the focus before it types; so does this (bounded).
inline void wait_until_focused(AgentClient& agent, int x, int y) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        const Json hit = agent.call({{"action", "hit_test"}, {"x", x}, {"y", y}});
        if (hit.dump().find("\"focused\"") != std::string::npos) return;
        agent.call({{"action", "wait"}, {"duration", 0.1}});
    }
    BOOST_FAIL("the element at (" << x << ", " << y << ") never took the focus");
}

inline Json move_to(AgentClient& agent, int x, int y) {
    return act(agent, {{"action", "mouse_move"}, {"coordinate", {x, y}}});
}

// The audit log: in the session dir while it runs, kept in the state dir afterwards.
inline std::string audit_of(const TestDirs& dirs, const std::string& session) {
    const fs::path live = dirs.runtime() / session / "audit.jsonl";
    const std::string text = slurp(fs::exists(live) ? live : dirs.state() / session / "audit.jsonl");
    BOOST_REQUIRE_MESSAGE(!text.empty(), "no audit log for " + session);
    return text;
}

}  // namespace deskbox::test::gate_context
