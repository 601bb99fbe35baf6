// The recorded trajectory that `deskbox demo` replays (docs/demo.md): the
// agent's blocks as a model sent them (Anthropic computer_toolset_20260801
// tool_use blocks; deskbox's own element actions where no provider has one),
// what the screen showed before each, the scripted reviewer's answers, and the
// outcomes the audit log must show afterwards.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/control/jsonl_channel.h"

namespace deskbox {

struct DemoReview {
    bool approve = true;
    std::string note;
};

struct DemoStep {
    std::string say;    // what the agent is doing, in words
    std::string await;  // text in the accessibility tree before the block is sent ("" none)
    std::optional<std::pair<int, int>> await_focus;  // the element at this point has the focus before it is sent
    Json block;                                      // sent to agent.sock as it is
    bool expect_ok = true;                           // the final reply's ok
    std::string refusal;                             // a refused reply's message contains this
    std::optional<DemoReview> review;                // the scripted reviewer's answer when the block waits for one
};

struct DemoOutcome {
    std::string scenario;
    std::vector<std::string> audit;  // each is in some line of the audit timeline
};

struct DemoTrajectory {
    std::string task;
    std::string site_user, site_password;  // the example site's sign-in
    int expected_exit = 0;                 // of the session (3: its final verification failed)
    std::vector<DemoStep> steps;
    std::vector<DemoOutcome> outcomes;
};

// Parses trajectory.json strictly; throws InputError naming the file and the
// JSON path of the problem ("steps[3].review.decide must be approve or deny").
DemoTrajectory parse_demo_trajectory(const std::string& text, const std::filesystem::path& file);
DemoTrajectory load_demo_trajectory(const std::filesystem::path& file);

}  // namespace deskbox
