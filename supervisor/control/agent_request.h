// An agent request after dialect detection: the normalized actions to run in
// order, plus what the reply needs to be shaped like the provider's own
// (OpenAI call_id, Anthropic tool_use_id). Parsing is pure: JSON in, this out,
// or a ProtocolError naming the problem.
#pragma once

#include <string>
#include <vector>

#include "supervisor/control/jsonl_channel.h"
#include "supervisor/control/request_fields.h"
#include "xsession/actions/action.h"
#include "xsession/actions/executor.h"

namespace deskbox {

struct AgentRequest {
    enum class Kind { Act, Status, Identify } kind = Kind::Act;
    Json id;  // echoed in every reply line (null when absent)
    Dialect dialect = Dialect::Deskbox;
    std::vector<Action> steps;               // run in order, each through the gate
    CaptureOptions capture;                  // for any screenshot in the reply
    bool screenshot_after = false;           // the reply carries a screenshot taken after the steps
    std::string call_id;                     // OpenAI computer_call
    bool openai_batched = false;             // the call used the GA tool's "actions" array
    std::string tool_use_id;                 // Anthropic tool_use block, when one was sent
    std::string toolset_name;                // "computer" for a computer_toolset_20260801 member block
    std::string confirmation;                // the toolset's text for a pure action ("Clicked.")
    std::vector<SafetyCheck> safety_checks;  // OpenAI pending_safety_checks, acknowledged in the reply
    std::string action_name;                 // the name the agent used ("left_click", "CLICK", ...)
    std::string agent;                       // Identify: the name the connection is labelled with
};

// An agent name as `identify` takes it (and the token store names agents):
// 1-64 bytes of [A-Za-z0-9_.@-]. Throws ProtocolError("invalid_field") otherwise.
void check_agent_name(std::string_view name);

// Detects the dialect and normalizes. `space` is the agent's coordinate space
// (ActionExecutor::scaled_size()).
AgentRequest parse_agent_request(const Json& request, CoordinateSpace space);

// What an error reply to a request that did not parse can still echo: an
// Anthropic tool_use block's id and toolset, so the agent gets the tool_result
// (with is_error) its next message needs.
void fill_reply_context(const Json& request, AgentRequest& partial);

// Per dialect (dialect_*.cc). `body` is the object holding the dialect's fields.
void parse_anthropic(const Fields& body, AgentRequest& out);
// A computer_toolset_20260801 member tool_use block (`block` is the whole block).
void parse_anthropic_toolset(const Fields& block, AgentRequest& out);
void parse_openai_call(const Fields& body, AgentRequest& out);  // computer_call item or bare action
void parse_osworld(const Fields& body, AgentRequest& out);
void parse_deskbox(const Fields& body, AgentRequest& out);
// OSWorld's pyautogui action space: {"code":"pyautogui.click(10, 20)"} (dialect_pyautogui.cc).
void parse_pyautogui(const Fields& body, AgentRequest& out);

// A pyautogui key name (OSWorld's KEYBOARD_KEYS, or a "ctrl+c" chord) as keysyms.
std::vector<std::string> pyautogui_key(std::string_view key);

// Steps that start at the pointer: a relative move or drag (pyautogui moveRel
// / dragRel) and a drag given only its end (OSWorld DRAG_TO, pyautogui dragTo,
// Anthropic's 20241022 left_click_drag).
bool needs_pointer(const Action& action);
// Makes such a step absolute from the pointer's position: the offset added
// (range-checked; ProtocolError("out_of_range") when it leaves the screen),
// the pointer made the drag's start.
void resolve_from_pointer(Action& action, Point pointer, CoordinateSpace space);

// Names each dialect accepts in its action field (for detection and docs).
bool is_anthropic_action(std::string_view name);
bool is_openai_action(std::string_view name);
bool is_deskbox_action(std::string_view name);
bool is_computer_toolset_member(std::string_view name);

}  // namespace deskbox
