// OpenAI computer-use actions: a whole `computer_call` output item
// ({"type":"computer_call","call_id":..,"action":{..}} or, with the GA tool,
// "actions":[..]) or one bare action ({"type":"click","x":..,"y":..}).
// Field meanings: docs/protocol.md, "OpenAI".
#include <array>
#include <cstdlib>

#include "supervisor/control/agent_request.h"
#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

constexpr std::array kActions = {"click",  "double_click", "drag", "keypress",  "move",
                                 "scroll", "type",         "wait", "screenshot"};

// scroll_x / scroll_y are pixels; X scrolls in wheel clicks. One click is
// taken as 100 px (about three text lines in GTK and Chromium); any non-zero
// delta scrolls at least one click, so small scrolls are never lost.
constexpr int kPixelsPerWheelClick = 100;
constexpr long kMaxScrollPixels = static_cast<long>(kMaxScrollClicks) * kPixelsPerWheelClick;

int pixels_to_clicks(long pixels) {
    if (pixels == 0) return 0;
    const long clicks = (std::labs(pixels) + kPixelsPerWheelClick - 1) / kPixelsPerWheelClick;
    return static_cast<int>(pixels < 0 ? -clicks : clicks);
}

// One entry of `keys`: OpenAI sends names like "CTRL", "A", "ENTER"; a letter
// in a chord means the key, not the capital (CTRL+A is ctrl+a, not ctrl+shift+a).
std::vector<std::string> key_entry(std::string_view entry) {
    if (entry.size() > 1 && entry.find('+') != std::string_view::npos) return chord_or_error(entry);
    if (entry.size() == 1 && entry[0] >= 'A' && entry[0] <= 'Z') {
        const char lower = static_cast<char>(entry[0] + 32);
        return {std::string(1, lower)};
    }
    return {key_or_error(entry)};
}

std::vector<std::string> keys_array(const Fields& f, std::string_view field, bool required) {
    const Json* v = f.find(field);
    if (!v) {
        if (required) throw ProtocolError("missing_field", "field '" + std::string(field) + "' is required");
        return {};
    }
    if (!v->is_array())
        throw ProtocolError("invalid_field", "field '" + std::string(field) + "' must be an array of key names");
    if (v->size() > kMaxChordKeys)
        throw ProtocolError(
            "too_large", "field '" + std::string(field) + "' has more than " + std::to_string(kMaxChordKeys) + " keys");
    std::vector<std::string> keys;
    for (const Json& k : *v) {
        if (!k.is_string())
            throw ProtocolError("invalid_field", "field '" + std::string(field) + "' must be an array of key names");
        for (auto& sym : key_entry(k.get_ref<const std::string&>())) keys.push_back(std::move(sym));
    }
    if (keys.size() > kMaxChordKeys)
        throw ProtocolError(
            "too_large", "field '" + std::string(field) + "' has more than " + std::to_string(kMaxChordKeys) + " keys");
    if (required && keys.empty())
        throw ProtocolError("missing_field", "field '" + std::string(field) + "' names no key");
    return keys;
}

MouseButton button_field(const Fields& f) {
    const std::string b = f.opt_string("button", 16).value_or("left");
    if (b == "left") return MouseButton::Left;
    if (b == "right") return MouseButton::Right;
    if (b == "wheel" || b == "middle") return MouseButton::Middle;
    if (b == "back") return MouseButton::Back;
    if (b == "forward") return MouseButton::Forward;
    throw ProtocolError("invalid_field", "field 'button' must be left, right, wheel, back or forward, got '" + b + "'");
}

Point required_xy(const Fields& f) {
    auto p = f.opt_xy("x", "y", false);
    if (!p) throw ProtocolError("missing_field", "fields 'x' and 'y' are required");
    return *p;
}

Action parse_one(const Json& json, CoordinateSpace space, std::string& name) {
    if (!json.is_object())
        throw ProtocolError("invalid_field", "an OpenAI action must be an object, got " + json_type_name(json));
    const Fields f(json, space);
    name = f.string("type", 64);
    Action a;
    if (name == "click") {
        a.kind = ActionKind::Click;
        a.button = button_field(f);
        a.point = required_xy(f);
    } else if (name == "double_click") {
        a.kind = ActionKind::DoubleClick;
        a.button = button_field(f);
        a.point = required_xy(f);
    } else if (name == "move") {
        a.kind = ActionKind::MouseMove;
        a.point = required_xy(f);
    } else if (name == "drag") {
        a.kind = ActionKind::Drag;
        const Json* path = f.find("path");
        if (!path || !path->is_array() || path->size() < 2)
            throw ProtocolError("invalid_field", "field 'path' must be an array of at least two {x, y} points");
        if (path->size() > kMaxPathPoints)
            throw ProtocolError("too_large",
                                "field 'path' has more than " + std::to_string(kMaxPathPoints) + " points");
        for (const Json& p : *path) {
            if (!p.is_object()) throw ProtocolError("invalid_field", "field 'path' must hold {x, y} objects");
            a.path.push_back(required_xy(Fields(p, space)));
        }
    } else if (name == "scroll") {
        a.kind = ActionKind::Scroll;
        a.point = f.opt_xy("x", "y", false);
        a.scroll_x = pixels_to_clicks(f.opt_integer("scroll_x", -kMaxScrollPixels, kMaxScrollPixels).value_or(0));
        a.scroll_y = pixels_to_clicks(f.opt_integer("scroll_y", -kMaxScrollPixels, kMaxScrollPixels).value_or(0));
    } else if (name == "keypress") {
        a.kind = ActionKind::Key;
        a.keys = keys_array(f, "keys", true);
        return a;  // `keys` is the chord itself, not held modifiers
    } else if (name == "type") {
        a.kind = ActionKind::Type;
        a.text = f.string("text", kMaxTextBytes);
        return a;
    } else if (name == "wait") {
        a.kind = ActionKind::Wait;
        a.duration = Millis(2000);  // OpenAI's wait has no duration; its samples wait 2 s
        return a;
    } else if (name == "screenshot") {
        a.kind = ActionKind::Screenshot;
        return a;
    } else {
        throw ProtocolError("unknown_action", "unknown OpenAI computer action '" + name + "'");
    }
    // GA tool: modifier keys held during a pointer action.
    a.held_keys = keys_array(f, "keys", false);
    return a;
}

// pending_safety_checks: [{"id":"cu_sc_..","code":"malicious_instructions","message":".."}];
// code and message may be null.
std::vector<SafetyCheck> safety_checks(const Fields& f) {
    const Json* v = f.find("pending_safety_checks");
    if (!v) return {};
    if (!v->is_array())
        throw ProtocolError("invalid_field",
                            "field 'pending_safety_checks' must be an array, got " + json_type_name(*v));
    if (v->size() > kMaxSafetyChecks)
        throw ProtocolError(
            "too_large", "field 'pending_safety_checks' has more than " + std::to_string(kMaxSafetyChecks) + " checks");
    std::vector<SafetyCheck> checks;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& c = (*v)[i];
        const std::string where = "pending_safety_checks[" + std::to_string(i) + "]";
        if (!c.is_object())
            throw ProtocolError("invalid_field", "field '" + where + "' must be an object, got " + json_type_name(c));
        const Fields cf(c, f.space());
        try {
            checks.push_back({cf.string("id", kMaxIdLength), cf.opt_string("code", kMaxSafetyCheckText).value_or(""),
                              cf.opt_string("message", kMaxSafetyCheckText).value_or("")});
        } catch (const ProtocolError& e) {
            throw with_field_path(e, where + ".");
        }
    }
    return checks;
}

}  // namespace

bool is_openai_action(std::string_view name) {
    for (std::string_view a : kActions)
        if (a == name) return true;
    return false;
}

void parse_openai_call(const Fields& f, AgentRequest& out) {
    out.dialect = Dialect::OpenAI;
    out.screenshot_after = true;     // computer_call_output always carries a screenshot
    out.capture.current_url = true;  // and the browser's URL when one is focused
    const Json& body = f.object();
    if (body.value("type", "") == "computer_call" || f.has("action") || f.has("actions")) {
        out.call_id = f.opt_string("call_id", kMaxIdLength).value_or("");
        const Json* single = f.find("action");
        const Json* batch = f.find("actions");
        if (single && batch)
            throw ProtocolError("invalid_request", "a computer_call has 'action' or 'actions', not both");
        if (single) {
            out.steps.push_back(parse_one(*single, f.space(), out.action_name));
        } else if (batch) {
            if (!batch->is_array() || batch->empty())
                throw ProtocolError("invalid_field", "field 'actions' must be a non-empty array of actions");
            if (batch->size() > kMaxBatch)
                throw ProtocolError("too_large",
                                    "field 'actions' has more than " + std::to_string(kMaxBatch) + " actions");
            out.openai_batched = true;
            std::string names;
            for (const Json& a : *batch) {
                std::string name;
                out.steps.push_back(parse_one(a, f.space(), name));
                names += (names.empty() ? "" : ",") + name;
            }
            out.action_name = names;
        } else {
            throw ProtocolError("missing_field", "a computer_call needs 'action' or 'actions'");
        }
        // The checks concern the call as a whole: every step carries them, so
        // no step of it runs on a policy's allow alone.
        out.safety_checks = safety_checks(f);
        for (auto& step : out.steps) step.safety_checks = out.safety_checks;
        return;
    }
    out.steps.push_back(parse_one(body, f.space(), out.action_name));
}

}  // namespace deskbox
