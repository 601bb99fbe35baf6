// Reply lines of the agent protocol, shaped like the request's dialect where
// the provider defines a shape (OpenAI computer_call_output, Anthropic
// tool_result); deskbox's own object otherwise. Every reply echoes the id.
#pragma once

#include <string>
#include <vector>

#include "supervisor/control/agent_request.h"
#include "supervisor/control/gate_port.h"
#include "xsession/actions/executor.h"

namespace deskbox {

// All steps ran; `results` has one entry per step (plus the trailing
// screenshot, if one was taken for the reply).
Json success_reply(const AgentRequest& request, const std::vector<ActionResult>& results);
// The same reply, serialized (no newline). The image's base64 text is spliced
// into the serialized line instead of passing through the JSON serializer:
// megabytes of base64 never need escaping, and the copy is what dominates a
// screenshot reply's cost (bench/README.md, "Agent protocol").
std::string success_reply_line(const AgentRequest& request, const std::vector<ActionResult>& results);
// The gate refused step `step` (0-based) of the request.
Json refusal_reply(const AgentRequest& request, const GateVerdict& verdict, std::size_t step);
// The gate waits for a reviewer; the final reply follows later.
Json pending_reply(const AgentRequest& request, const GateVerdict& verdict);
// Parsing, execution or internal failure. `request` may be partly filled.
Json error_reply(const AgentRequest& request, const std::string& code, const std::string& message);
Json status_reply(const AgentRequest& request, const Json& status);
// {"id", "ok":true, "agent":NAME} for an identify request.
Json identify_reply(const AgentRequest& request);

// "data:image/png;base64,...."
std::string data_url(const ImageData& image);

}  // namespace deskbox
