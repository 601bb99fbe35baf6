// MCP over stdio: newline-delimited JSON-RPC messages on stdin, responses and
// notifications on stdout, nothing else on stdout (diagnostics go to
// stderr). Each tools/call runs on its own thread, so a call waiting for a
// reviewer does not hold up pings or other calls.
#pragma once

#include "supervisor/mcp/mcp_server.h"

namespace deskbox::mcp {

// Serves until stdin ends; then ends the calls still waiting (their agent.sock
// connections close) and returns.
void serve_stdio(McpServer& server, AgentBackend& pool, const std::string& agent, int in_fd = 0, int out_fd = 1);

}  // namespace deskbox::mcp
