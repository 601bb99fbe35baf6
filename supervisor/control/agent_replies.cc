#include "supervisor/control/agent_replies.h"

#include <cstdio>
#include <random>

#include "supervisor/control/base64.h"

namespace deskbox {
namespace {

// When set, images are embedded as this placeholder and spliced in after
// serialization (success_reply_line). A random per-process token: no agent
// string can collide with it.
thread_local const std::string* image_placeholder = nullptr;

const std::string& placeholder_token() {
    static const std::string token = [] {
        std::random_device rd;
        char buf[64];
        std::snprintf(buf, sizeof buf, "deskbox-image-%08x%08x%08x", rd(), rd(), rd());
        return std::string(buf);
    }();
    return token;
}

std::string image_base64(const ImageData& image) {
    return image_placeholder ? *image_placeholder : base64_encode(image.bytes);
}

Json envelope(const AgentRequest& request, bool ok) {
    Json reply = Json::object();
    if (!request.id.is_null()) reply["id"] = request.id;
    reply["ok"] = ok;
    reply["dialect"] = to_string(request.dialect);
    if (!request.action_name.empty()) reply["action"] = request.action_name;
    return reply;
}

const ImageData* last_image(const std::vector<ActionResult>& results) {
    for (auto it = results.rbegin(); it != results.rend(); ++it)
        if (const std::optional<ImageData>& image = it->image) return &*image;
    return nullptr;
}

// deskbox / OSWorld: the normalized result of the last step.
Json deskbox_result(const AgentRequest& request, const std::vector<ActionResult>& results) {
    Json result = Json::object();
    if (const ImageData* image = last_image(results)) {
        result["image"] = {
            {"mime", image->mime}, {"width", image->width}, {"height", image->height}, {"data", image_base64(*image)}};
    }
    for (const auto& r : results) {
        if (r.cursor) result["cursor"] = {{"x", r.cursor->x}, {"y", r.cursor->y}};
        if (!r.json.empty()) {
            // The a11y helper's answer is JSON already; embed it as a value.
            Json parsed = Json::parse(r.json, nullptr, false);
            if (parsed.is_discarded())
                result["text"] = r.json;
            else
                result["data"] = std::move(parsed);
        }
    }
    if (!request.steps.empty()) {
        const ActionKind last = request.steps.back().kind;
        if (last == ActionKind::Done) result["episode"] = "done";
        if (last == ActionKind::Fail) result["episode"] = "fail";
    }
    return result;
}

Json anthropic_image_block(const ImageData& image) {
    return {{"type", "image"},
            {"source", {{"type", "base64"}, {"media_type", image.mime}, {"data", image_base64(image)}}}};
}

Json anthropic_tool_result(const AgentRequest& request, Json content, bool is_error) {
    Json block = {{"type", "tool_result"}, {"content", std::move(content)}};
    if (!request.tool_use_id.empty()) block["tool_use_id"] = request.tool_use_id;
    // A toolset member's result names its family (the API rejects a mismatch).
    if (!request.toolset_name.empty()) block["toolset_name"] = request.toolset_name;
    if (is_error) block["is_error"] = true;
    return block;
}

}  // namespace

std::string data_url(const ImageData& image) {
    return "data:" + image.mime + ";base64," + image_base64(image);
}

std::string success_reply_line(const AgentRequest& request, const std::vector<ActionResult>& results) {
    const ImageData* image = last_image(results);
    if (!image) return success_reply(request, results).dump(-1, ' ', false, Json::error_handler_t::replace);
    image_placeholder = &placeholder_token();
    Json reply;
    try {
        reply = success_reply(request, results);
    } catch (...) {
        image_placeholder = nullptr;
        throw;
    }
    image_placeholder = nullptr;
    std::string line = reply.dump(-1, ' ', false, Json::error_handler_t::replace);
    // Exactly one image is embedded (the last one), so exactly one placeholder.
    const std::size_t at = line.find(placeholder_token());
    if (at == std::string::npos)
        return success_reply(request, results).dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string encoded = base64_encode(image->bytes);
    std::string out;
    out.reserve(line.size() + encoded.size());
    out.append(line, 0, at);
    out.append(encoded);
    out.append(line, at + placeholder_token().size(), std::string::npos);
    return out;
}

Json success_reply(const AgentRequest& request, const std::vector<ActionResult>& results) {
    Json reply = envelope(request, true);
    switch (request.dialect) {
        case Dialect::OpenAI: {
            Json item = {{"type", "computer_call_output"}};
            if (!request.call_id.empty()) item["call_id"] = request.call_id;
            if (const ImageData* image = last_image(results)) {
                // ResponseComputerToolCallOutputScreenshotParam, for single and batched calls alike.
                item["output"] = {{"type", "computer_screenshot"}, {"image_url", data_url(*image)}};
                for (auto it = results.rbegin(); it != results.rend(); ++it) {
                    if (!it->image) continue;
                    if (!it->current_url.empty()) item["output"]["current_url"] = it->current_url;
                    break;
                }
            }
            // Only reached when every step ran, so a reviewer approved the
            // calls that carried checks: acknowledge exactly those.
            if (!request.safety_checks.empty()) {
                Json acknowledged = Json::array();
                for (const auto& c : request.safety_checks) {
                    Json check = {{"id", c.id}};
                    check["code"] = c.code.empty() ? Json() : Json(c.code);
                    check["message"] = c.message.empty() ? Json() : Json(c.message);
                    acknowledged.push_back(std::move(check));
                }
                item["acknowledged_safety_checks"] = std::move(acknowledged);
            }
            reply["item"] = std::move(item);
            break;
        }
        case Dialect::Anthropic: {
            Json content = Json::array();
            for (const auto& r : results) {
                if (r.cursor)
                    content.push_back(
                        {{"type", "text"},
                         {"text", "X=" + std::to_string(r.cursor->x) + ",Y=" + std::to_string(r.cursor->y)}});
            }
            if (const ImageData* image = last_image(results)) content.push_back(anthropic_image_block(*image));
            if (content.empty())
                content.push_back(
                    {{"type", "text"},
                     {"text", request.confirmation.empty() ? request.action_name + " done" : request.confirmation}});
            reply["tool_result"] = anthropic_tool_result(request, std::move(content), false);
            break;
        }
        case Dialect::OSWorld:
        case Dialect::Deskbox:
            reply["result"] = deskbox_result(request, results);
            break;
    }
    return reply;
}

Json error_reply(const AgentRequest& request, const std::string& code, const std::string& message) {
    Json reply = envelope(request, false);
    reply["error"] = {{"code", code}, {"message", message}};
    if (request.dialect == Dialect::Anthropic && !request.tool_use_id.empty())
        reply["tool_result"] =
            anthropic_tool_result(request, Json::array({{{"type", "text"}, {"text", message}}}), true);
    return reply;
}

Json refusal_reply(const AgentRequest& request, const GateVerdict& verdict, std::size_t step) {
    std::string message = "refused by policy rule '" + verdict.rule + "'";
    if (!verdict.reason.empty()) message += ": " + verdict.reason;
    if (request.steps.size() > 1)
        message += " (step " + std::to_string(step + 1) + " of " + std::to_string(request.steps.size()) +
                   "; earlier steps ran)";
    Json reply = error_reply(request, "refused", message);
    reply["error"]["rule"] = verdict.rule;
    if (!verdict.proposal_id.empty()) reply["error"]["proposal_id"] = verdict.proposal_id;
    reply["error"]["steps_done"] = step;
    if (verdict.retry_after_ms) reply["error"]["retry_after_ms"] = *verdict.retry_after_ms;
    return reply;
}

Json pending_reply(const AgentRequest& request, const GateVerdict& verdict) {
    Json reply = Json::object();
    if (!request.id.is_null()) reply["id"] = request.id;
    reply["pending"] = true;
    reply["dialect"] = to_string(request.dialect);
    reply["action"] = request.action_name;
    reply["approval_id"] = verdict.approval_id;
    reply["rule"] = verdict.rule;
    if (!verdict.reason.empty()) reply["reason"] = verdict.reason;
    return reply;
}

Json status_reply(const AgentRequest& request, const Json& status) {
    Json reply = Json::object();
    if (!request.id.is_null()) reply["id"] = request.id;
    reply["ok"] = true;
    reply["status"] = status;
    return reply;
}

Json identify_reply(const AgentRequest& request) {
    Json reply = Json::object();
    if (!request.id.is_null()) reply["id"] = request.id;
    reply["ok"] = true;
    reply["agent"] = request.agent;
    return reply;
}

}  // namespace deskbox
