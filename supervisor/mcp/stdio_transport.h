// MCP over stdio: newline-delimited JSON-RPC messages on stdin, responses and
// notifications on stdout, nothing else on stdout (diagnostics go to
// stderr). Each tools/call runs on its own thread, so a call waiting for a
// reviewer does not hold up pings or other calls.
#pragma once

#include "supervisor/mcp/mcp_server.h"

namespace deskbox::mcp {

// Serves until stdin ends, then lets the calls in progress answer and
// returns. (A client that leaves closes stdin and then signals the server;
// a call still waiting for a reviewer then ends with the process, and the
// session records the approved action as not executed.)
void serve_stdio(McpServer& server, const std::string& agent, int in_fd = 0, int out_fd = 1);

}  // namespace deskbox::mcp
