// Dialect detection: the shape of the request says who wrote it.
//   "toolset_name" (a computer_toolset_20260801 member block)          → Anthropic toolset
//   "type":"computer_call" or an OpenAI action type, or "actions":[..] → OpenAI
//   "type":"tool_use" with "input":{"action":..}                      → Anthropic
//   "code" (Python source)                                            → OSWorld pyautogui
//   "action_type"                                                     → OSWorld
//   "action" naming an Anthropic action                               → Anthropic
//   "action" naming a deskbox action (click_element, tree, ...)       → deskbox
//   "action":"screenshot" with deskbox options (format, quality, ...) → deskbox
// An explicit "dialect" field overrides detection.
#include "supervisor/control/agent_request.h"

#include <algorithm>

#include "supervisor/base/error.h"
#include "xsession/actions/keys.h"
#include "xsession/actions/secret_placeholder.h"

namespace deskbox {
namespace {

void parse_envelope(const Fields& f, AgentRequest& out) {
    if (const Json* id = f.find("id")) {
        if (id->is_string()) {
            if (id->get_ref<const std::string&>().size() > kMaxIdLength)
                throw ProtocolError("too_large",
                                    "field 'id' is longer than " + std::to_string(kMaxIdLength) + " bytes");
        } else if (!id->is_number_integer()) {
            throw ProtocolError("invalid_field",
                                "field 'id' must be a string or an integer, got " + json_type_name(*id));
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

// The parser a request goes to: a dialect, or one of the two shapes that
// share a dialect's replies but not its parser.
enum class Shape { Dialect, AnthropicToolset, PyAutoGUI };

constexpr std::string_view kToolsetDialect = "computer_toolset_20260801";

Dialect detect(const Fields& f, Shape& shape) {
    shape = Shape::Dialect;
    if (auto explicit_dialect = f.opt_string("dialect", 32)) {
        if (*explicit_dialect == "anthropic") {
            if (f.has("toolset_name")) shape = Shape::AnthropicToolset;
            return Dialect::Anthropic;
        }
        if (*explicit_dialect == kToolsetDialect) {
            shape = Shape::AnthropicToolset;
            return Dialect::Anthropic;
        }
        if (*explicit_dialect == "openai") return Dialect::OpenAI;
        if (*explicit_dialect == "osworld") {
            if (f.has("code") && !f.has("action_type")) shape = Shape::PyAutoGUI;
            return Dialect::OSWorld;
        }
        if (*explicit_dialect == "pyautogui") {
            shape = Shape::PyAutoGUI;
            return Dialect::OSWorld;
        }
        if (*explicit_dialect == "deskbox") return Dialect::Deskbox;
        throw ProtocolError(
            "invalid_field",
            "field 'dialect' must be anthropic, computer_toolset_20260801, openai, osworld, pyautogui or "
            "deskbox, got '" +
                utf8_prefix(*explicit_dialect, 32) + "'");
    }
    if (f.has("toolset_name")) {
        shape = Shape::AnthropicToolset;
        return Dialect::Anthropic;
    }
    if (f.has("code") && !f.has("action") && !f.has("action_type") && !f.has("type")) {
        shape = Shape::PyAutoGUI;
        return Dialect::OSWorld;
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
        throw ProtocolError("invalid_field",
                            "field 'action' must be a string or an object, got " + json_type_name(*action));
    }
    if (f.has("actions")) return Dialect::OpenAI;
    if (type && type->is_string())
        throw ProtocolError("unknown_action",
                            "unknown action type '" + utf8_prefix(type->get<std::string>(), 64) + "'");
    throw ProtocolError("unknown_dialect",
                        "cannot tell the request's dialect: expected 'action' (Anthropic, deskbox), 'toolset_name' "
                        "(Anthropic toolset), 'type' or 'actions' (OpenAI), 'action_type' or 'code' (OSWorld)");
}

}  // namespace

void check_agent_name(std::string_view name) {
    const bool valid = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '@' || c == '-';
    });
    if (!valid)
        throw ProtocolError("invalid_field", "field 'agent' must be 1-64 characters of A-Z a-z 0-9 _ . @ -, got '" +
                                                 utf8_prefix(std::string(name), 64) + "'");
}

static AgentRequest parse_dialect_request(const Json& request, CoordinateSpace space) {
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
    if (const Json* action = f.find("action"); action && action->is_string() && *action == "identify") {
        out.kind = AgentRequest::Kind::Identify;
        out.action_name = "identify";
        out.agent = f.string("agent", 64);
        check_agent_name(out.agent);
        return out;
    }
    Shape shape = Shape::Dialect;
    const Dialect dialect = detect(f, shape);
    if (shape == Shape::AnthropicToolset) {
        parse_anthropic_toolset(f, out);
        return out;  // every member yields at least one step
    }
    if (shape == Shape::PyAutoGUI) {
        parse_pyautogui(f, out);
        if (out.steps.empty()) throw ProtocolError("invalid_request", "the code names no action");
        return out;
    }
    switch (dialect) {
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

void fill_reply_context(const Json& request, AgentRequest& partial) {
    if (!request.is_object()) return;
    const auto type = request.find("type");
    const auto toolset = request.find("toolset_name");
    const bool tool_use = type != request.end() && *type == "tool_use";
    if (!tool_use && toolset == request.end()) return;
    const auto id = request.find("id");
    if (id == request.end() || !id->is_string() || id->get_ref<const std::string&>().size() > kMaxIdLength) return;
    partial.dialect = Dialect::Anthropic;
    partial.tool_use_id = id->get<std::string>();
    if (toolset != request.end() && *toolset == "computer") partial.toolset_name = "computer";
}

bool needs_pointer(const Action& action) {
    return action.relative || (action.kind == ActionKind::Drag && action.path.size() == 1);
}

void resolve_from_pointer(Action& action, Point pointer, CoordinateSpace space) {
    if (action.kind == ActionKind::Drag && action.path.size() == 1) action.path.insert(action.path.begin(), pointer);
    if (!action.relative) return;
    Point* offset = action.kind == ActionKind::Drag && !action.path.empty() ? &action.path.back()
                    : action.point                                          ? &*action.point
                                                                            : nullptr;
    if (!offset) throw ProtocolError("invalid_request", "a relative action has no offset");
    const long x = static_cast<long>(pointer.x) + offset->x;
    const long y = static_cast<long>(pointer.y) + offset->y;
    if (x < 0 || y < 0 || x >= space.width || y >= space.height)
        throw ProtocolError("out_of_range", "the offset (" + std::to_string(offset->x) + ", " +
                                                std::to_string(offset->y) + ") from the pointer at (" +
                                                std::to_string(pointer.x) + ", " + std::to_string(pointer.y) +
                                                ") leads to (" + std::to_string(x) + ", " + std::to_string(y) +
                                                "), outside the screen (" + std::to_string(space.width) + "x" +
                                                std::to_string(space.height) + ")");
    *offset = Point{static_cast<int>(x), static_cast<int>(y)};
    action.relative = false;
}

// A model that can only emit text asks for a secret with "{{secret:NAME}}"
// as the whole text of a type action: that step becomes type_secret, so the
// value is typed by deskbox under the same conditions and never passes through
// the agent. Placeholders elsewhere are the agent's mistake.
AgentRequest parse_agent_request(const Json& request, CoordinateSpace space) {
    AgentRequest out = parse_dialect_request(request, space);
    for (Action& a : out.steps) {
        if (a.kind != ActionKind::Type && a.kind != ActionKind::TypeInto) continue;
        std::optional<std::string> name;
        try {
            name = secret_placeholder(a.text);
        } catch (const Error& e) {
            throw ProtocolError("invalid_field", e.what());
        }
        if (!name) continue;
        if (a.kind == ActionKind::Type) a.element.reset();
        a.kind = ActionKind::TypeSecret;
        a.secret = *name;
        a.text.clear();
    }
    return out;
}

}  // namespace deskbox
