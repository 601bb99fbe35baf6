// The Model Context Protocol's JSON-RPC side, independent of the transport:
// initialize (version negotiation), ping, tools/list, tools/call. A tool call
// becomes one agent-protocol request sent through an AgentBackend (the
// session's agent.sock in `deskbox mcp`, a fake in unit tests), so the gate
// and the audit log see exactly what an agent.sock client would send.
//
// Thread-safe: the transports call handle() from several threads (one per
// tool call on stdio, one per connection over HTTP); McpSession is the
// caller's, one per MCP session.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace deskbox::mcp {

using Json = nlohmann::json;

// Protocol versions this server speaks, newest first (those the official
// TypeScript SDK 1.32 offers).
inline constexpr const char* kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
bool is_supported_version(std::string_view version);

// JSON-RPC 2.0 error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

class AgentBackend {
public:
    virtual ~AgentBackend() = default;
    // Sends `request` on a connection identified as `agent` and returns the
    // final reply. `on_pending` gets the "pending" line when a reviewer must
    // decide; `on_wait` is called now and then while the reply is awaited.
    // Throws (std::exception) when the session cannot be reached.
    virtual Json call(const std::string& agent, const Json& request, const std::function<void(const Json&)>& on_pending,
                      const std::function<void()>& on_wait) = 0;
    // Ends every call in progress (at shutdown).
    virtual void interrupt_all() {}
};

struct McpSession {
    std::string agent;             // recorded with every action (audit log)
    std::string protocol_version;  // negotiated by initialize; empty before
};

class McpServer {
public:
    // Sends one JSON-RPC notification to the client during a call
    // (notifications/progress); transports without a way to do so drop it.
    using Notify = std::function<void(const Json&)>;

    explicit McpServer(AgentBackend& backend) : backend_(backend) {}

    // One message. Returns the response, or nullopt for notifications and
    // responses (they get none). Never throws for anything the client sends.
    std::optional<Json> handle(McpSession& session, const Json& message, const Notify& notify = {});
    // The same for raw text: a parse error is a JSON-RPC error with id null.
    std::optional<Json> handle_text(McpSession& session, std::string_view text, const Notify& notify = {});

private:
    Json initialize(McpSession& session, const Json& params);
    Json call_tool(const McpSession& session, const Json& params, const Notify& notify);

    AgentBackend& backend_;
};

// {"jsonrpc":"2.0","id":ID,"error":{"code":CODE,"message":MESSAGE}}
Json rpc_error(const Json& id, int code, const std::string& message);
// Is this message a request (method and id)? Transports choose their answer's
// shape by it (HTTP: 202 for anything else).
bool is_request(const Json& message);

// Seconds between progress notifications while a reviewer decides.
inline constexpr std::chrono::milliseconds kProgressEvery{10'000};

}  // namespace deskbox::mcp
