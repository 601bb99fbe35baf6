// The MCP tools: what `tools/list` shows (name, description, JSON Schema of
// the input) and how a `tools/call` becomes one agent-protocol request
// (docs/protocol.md) and its reply becomes an MCP CallToolResult. Pure: JSON
// in, JSON out, so that the mapping is unit-tested without a session.
//
// One table per tool gives its parameters; the input schema is generated
// from it and the arguments are checked against it, so the two cannot
// disagree. Ranges (coordinates inside the screen, durations) are the agent
// protocol's to check: its errors come back as tool errors.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace deskbox::mcp {

using Json = nlohmann::json;

// Arguments that do not fit a tool's schema: the message names the argument.
class ToolArgumentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The `tools` array of a tools/list result.
Json tool_list();
bool is_tool(std::string_view name);

// The agent-protocol request for a call of `tool` with `arguments` (an
// object). Throws ToolArgumentError when they do not fit the schema.
Json agent_request_for(std::string_view tool, const Json& arguments);

// The CallToolResult for the agent's final reply: image content for
// screenshots and zooms, text otherwise; {"isError":true} with the error's
// text for refusals (which name the rule) and failures.
Json tool_result_from(std::string_view tool, const Json& reply);

// A CallToolResult that reports `message` as a tool error.
Json tool_error(const std::string& message);

}  // namespace deskbox::mcp
