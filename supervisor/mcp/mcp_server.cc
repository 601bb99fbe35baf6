#include "supervisor/mcp/mcp_server.h"

#include <algorithm>

#include "supervisor/mcp/mcp_tools.h"

namespace deskbox::mcp {

bool is_supported_version(std::string_view version) {
    return std::any_of(std::begin(kProtocolVersions), std::end(kProtocolVersions),
                       [&](const char* v) { return version == v; });
}

Json rpc_error(const Json& id, int code, const std::string& message) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

bool is_request(const Json& message) {
    return message.is_object() && message.contains("method") && message.contains("id");
}

namespace {

Json rpc_result(const Json& id, Json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

constexpr const char* kInstructions =
    "These tools act on a sandboxed Linux desktop run by deskbox. Every action passes the session's policy: "
    "a refused action is a tool error naming the rule; an action that needs a reviewer's approval keeps the "
    "call open until the reviewer decides. Coordinates are in the pixels of the screenshots this server returns.";

}  // namespace

std::optional<Json> McpServer::handle_text(McpSession& session, std::string_view text, const Notify& notify) {
    Json message = Json::parse(text, nullptr, false);
    if (message.is_discarded()) return rpc_error(nullptr, kParseError, "Parse error: the message is not valid JSON");
    return handle(session, message, notify);
}

std::optional<Json> McpServer::handle(McpSession& session, const Json& message, const Notify& notify) {
    if (message.is_array())
        return rpc_error(nullptr, kInvalidRequest, "Invalid Request: JSON-RPC batches are not supported");
    if (!message.is_object())
        return rpc_error(nullptr, kInvalidRequest, "Invalid Request: the message must be an object");
    const Json id = message.contains("id") ? message["id"] : Json();
    const bool id_ok = id.is_string() || id.is_number_integer();
    if (message.value("jsonrpc", Json()) != "2.0")
        return rpc_error(id_ok ? id : Json(), kInvalidRequest, "Invalid Request: 'jsonrpc' must be \"2.0\"");
    const auto method = message.find("method");
    if (method == message.end()) return std::nullopt;  // a response to us: we send no requests
    if (!method->is_string())
        return rpc_error(id_ok ? id : Json(), kInvalidRequest, "Invalid Request: 'method' must be a string");
    if (!message.contains("id")) return std::nullopt;  // notifications (initialized, cancelled) need no answer
    if (!id_ok) return rpc_error(nullptr, kInvalidRequest, "Invalid Request: 'id' must be a string or an integer");
    const std::string& name = method->get_ref<const std::string&>();
    const Json params = message.value("params", Json::object());
    if (!params.is_object()) return rpc_error(id, kInvalidParams, "Invalid params: 'params' must be an object");
    try {
        if (name == "initialize") return rpc_result(id, initialize(session, params));
        if (name == "ping") return rpc_result(id, Json::object());
        if (session.protocol_version.empty())
            return rpc_error(id, kInvalidRequest, "Invalid Request: send 'initialize' first");
        if (name == "tools/list") return rpc_result(id, {{"tools", tool_list()}});
        if (name == "tools/call") {
            if (!params.contains("name") || !params["name"].is_string())
                return rpc_error(id, kInvalidParams, "Invalid params: 'name' must be a string");
            if (!is_tool(params["name"].get<std::string>()))
                return rpc_error(id, kInvalidParams, "Unknown tool: " + params["name"].get<std::string>());
            return rpc_result(id, call_tool(session, params, notify));
        }
        return rpc_error(id, kMethodNotFound, "Method not found: " + name);
    } catch (const std::exception& e) {
        return rpc_error(id, kInternalError, std::string("Internal error: ") + e.what());
    }
}

Json McpServer::initialize(McpSession& session, const Json& params) {
    // The client's version when we speak it, else our newest (the client then
    // decides whether to go on).
    const std::string asked =
        params.value("protocolVersion", Json("")).is_string() ? params.value("protocolVersion", "") : "";
    session.protocol_version = is_supported_version(asked) ? asked : kProtocolVersions[0];
    return {{"protocolVersion", session.protocol_version},
            {"capabilities", {{"tools", {{"listChanged", false}}}}},
            {"serverInfo", {{"name", "deskbox"}, {"title", "deskbox desktop session"}, {"version", DESKBOX_VERSION}}},
            {"instructions", kInstructions}};
}

Json McpServer::call_tool(const McpSession& session, const Json& params, const Notify& notify) {
    const std::string tool = params["name"].get<std::string>();
    Json request;
    try {
        request = agent_request_for(tool, params.value("arguments", Json::object()));
    } catch (const ToolArgumentError& e) {
        return tool_error(e.what());  // the model can read it and correct itself
    }
    // Progress only when the client asked for it (a progressToken in _meta).
    Json token;
    if (params.contains("_meta") && params["_meta"].is_object()) token = params["_meta"].value("progressToken", Json());
    const bool progress = notify && (token.is_string() || token.is_number_integer());
    int step = 0;
    std::string waiting;
    auto report = [&](const std::string& message) {
        if (!progress) return;
        notify({{"jsonrpc", "2.0"},
                {"method", "notifications/progress"},
                {"params", {{"progressToken", token}, {"progress", ++step}, {"message", message}}}});
    };
    Json reply;
    try {
        reply = backend_.call(
            session.agent, request,
            [&](const Json& pending) {
                waiting = "waiting for a reviewer: approval " + pending.value("approval_id", "?") + ", rule '" +
                          pending.value("rule", "") + "'";
                report(waiting);
            },
            [&] {
                if (!waiting.empty()) report(waiting);
            });
    } catch (const std::exception& e) {
        return tool_error(std::string("the session did not answer: ") + e.what());
    }
    return tool_result_from(tool, reply);
}

}  // namespace deskbox::mcp
