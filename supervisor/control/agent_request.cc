// Dialect detection: the shape of the request says who wrote it.
//   "type":"computer_call" or an OpenAI action type, or "actions":[..] → OpenAI
//   "type":"tool_use" with "input":{"action":..}                      → Anthropic
//   "action_type"                                                     → OSWorld
//   "action" naming an Anthropic action                               → Anthropic
//   "action" naming a deskbox action (click_element, tree, ...)       → deskbox
//   "action":"screenshot" with deskbox options (format, quality, ...) → deskbox
// An explicit "dialect" field overrides detection.
#include "supervisor/control/agent_request.h"

#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

void parse_envelope(const Fields& f, AgentRequest& out) {
    if (const Json* id = f.find("id")) {
        if (id->is_string()) {
            if (id->get_ref<const std::string&>().size() > kMaxIdLength)
                throw ProtocolError("too_large", "field 'id' is longer than " + std::to_string(kMaxIdLength) + " bytes");
        } else if (!id->is_number_integer()) {
            throw ProtocolError("invalid_field", "field 'id' must be a string or an integer, got " + json_type_name(*id));
        }
        out.id = *id;
    }
    if (const Json* capture = f.find("capture")) {
        if (!capture->is_object())
            throw ProtocolError("invalid_field", "field 'capture' must be an object, got " + json_type_name(*capture));
        const Fields c(*capture, f.space());
        if (auto format = c.opt_string("format", 8)) {
            if (*format != "png" && *format != "jpeg")
                throw ProtocolError("invalid_field", "field 'format' must be png or jpeg, got '" + *format + "'");
            out.capture.format = *format;
        }
        if (auto q = c.opt_integer("quality", 1, 100)) out.capture.jpeg_quality = static_cast<int>(*q);
        if (auto s = c.opt_bool("settle")) out.capture.settle = *s;
        if (auto cur = c.opt_bool("cursor")) out.capture.cursor = *cur;
    }
}

bool has_deskbox_capture_fields(const Fields& f) {
    return f.has("format") || f.has("quality") || f.has("settle") || f.has("cursor");
}

Dialect detect(const Fields& f) {
    if (auto explicit_dialect = f.opt_string("dialect", 16)) {
        if (*explicit_dialect == "anthropic") return Dialect::Anthropic;
        if (*explicit_dialect == "openai") return Dialect::OpenAI;
        if (*explicit_dialect == "osworld") return Dialect::OSWorld;
        if (*explicit_dialect == "deskbox") return Dialect::Deskbox;
        throw ProtocolError("invalid_field", "field 'dialect' must be anthropic, openai, osworld or deskbox, got '" +
                                                 *explicit_dialect + "'");
    }
    const Json* type = f.find("type");
    if (type && type->is_string()) {
        const auto& t = type->get_ref<const std::string&>();
        if (t == "computer_call" || is_openai_action(t)) return Dialect::OpenAI;
        if (t == "tool_use") return Dialect::Anthropic;
    }
    if (f.has("action_type")) return Dialect::OSWorld;
    if (const Json* action = f.find("action")) {
        if (action->is_object()) return Dialect::OpenAI;  // {"action":{"type":"click",..}}
        if (action->is_string()) {
            const auto& name = action->get_ref<const std::string&>();
            if (name == "screenshot") return has_deskbox_capture_fields(f) ? Dialect::Deskbox : Dialect::Anthropic;
            if (is_deskbox_action(name)) return Dialect::Deskbox;
            if (is_anthropic_action(name)) return Dialect::Anthropic;
            throw ProtocolError("unknown_action", "unknown action '" + utf8_prefix(name, 64) + "'");
        }
        throw ProtocolError("invalid_field", "field 'action' must be a string or an object, got " + json_type_name(*action));
    }
    if (f.has("actions")) return Dialect::OpenAI;
    if (type && type->is_string())
        throw ProtocolError("unknown_action", "unknown action type '" + utf8_prefix(type->get<std::string>(), 64) + "'");
    throw ProtocolError("unknown_dialect",
                        "cannot tell the request's dialect: expected 'action' (Anthropic, deskbox), 'type' or "
                        "'actions' (OpenAI) or 'action_type' (OSWorld)");
}

}  // namespace

AgentRequest parse_agent_request(const Json& request, CoordinateSpace space) {
    if (!request.is_object()) throw ProtocolError("not_an_object", "request must be a JSON object");
    AgentRequest out;
    const Fields f(request, space);
    parse_envelope(f, out);
    out.screenshot_after = f.opt_bool("screenshot_after").value_or(false);
    if (const Json* action = f.find("action"); action && action->is_string() && *action == "status") {
        out.kind = AgentRequest::Kind::Status;
        out.action_name = "status";
        return out;
    }
    switch (detect(f)) {
        case Dialect::OpenAI:
            parse_openai_call(f, out);
            break;
        case Dialect::OSWorld:
            parse_osworld(f, out);
            break;
        case Dialect::Deskbox:
            parse_deskbox(f, out);
            break;
        case Dialect::Anthropic:
            if (const Json* type = f.find("type"); type && *type == "tool_use") {
                // A whole tool_use block: the action is its input; its id is
                // what the tool_result must name.
                out.tool_use_id = f.opt_string("id", kMaxIdLength).value_or("");
                const Json* input = f.find("input");
                if (!input || !input->is_object())
                    throw ProtocolError("invalid_field", "a tool_use block needs an 'input' object");
                parse_anthropic(Fields(*input, space), out);
            } else {
                parse_anthropic(f, out);
            }
            break;
    }
    if (out.steps.empty()) throw ProtocolError("invalid_request", "request names no action");
    return out;
}

}  // namespace deskbox
