// OSWorld's computer_13 action space (desktop_env/actions.py):
// {"action_type":"CLICK","parameters":{"button":"left","x":100,"y":200,"num_clicks":2}}.
// Parameters may also sit beside action_type. Names are matched without case
// (actions.py spells them lower-case, the prompts upper-case). x and y are
// floats in OSWorld and are rounded to the nearest pixel.
#include <algorithm>

#include "supervisor/control/agent_request.h"
#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

// OSWorld's WAIT carries no duration; its environment pauses 2 s per step.
constexpr Millis kOsworldWait{2000};

MouseButton button_field(const Fields& f) {
    const std::string b = f.opt_string("button", 16).value_or("left");
    if (b == "left") return MouseButton::Left;
    if (b == "right") return MouseButton::Right;
    if (b == "middle") return MouseButton::Middle;
    throw ProtocolError("invalid_field", "field 'button' must be left, right or middle, got '" + b + "'");
}

std::vector<std::string> key_field(const Fields& f, std::string_view field) {
    return pyautogui_key(f.string(field, kMaxKeyName));
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c); });
    return s;
}

}  // namespace

void parse_osworld(const Fields& outer, AgentRequest& out) {
    out.dialect = Dialect::OSWorld;
    const std::string type = upper(outer.string("action_type", 64));
    out.action_name = type;
    const Json* params = outer.find("parameters");
    if (params && !params->is_object())
        throw ProtocolError("invalid_field", "field 'parameters' must be an object, got " + json_type_name(*params));
    const Fields f = params ? Fields(*params, outer.space()) : outer;
    Action a;
    if (type == "MOVE_TO") {
        a.kind = ActionKind::MouseMove;
        a.point = f.opt_xy("x", "y", true);
        if (!a.point) throw ProtocolError("missing_field", "fields 'x' and 'y' are required");
    } else if (type == "CLICK") {
        const long clicks = f.opt_integer("num_clicks", 1, 3).value_or(1);
        a.kind = clicks == 1 ? ActionKind::Click : clicks == 2 ? ActionKind::DoubleClick : ActionKind::TripleClick;
        a.button = button_field(f);
        a.point = f.opt_xy("x", "y", true);
    } else if (type == "MOUSE_DOWN" || type == "MOUSE_UP") {
        a.kind = type == "MOUSE_DOWN" ? ActionKind::MouseDown : ActionKind::MouseUp;
        a.button = button_field(f);
    } else if (type == "RIGHT_CLICK") {
        a.kind = ActionKind::Click;
        a.button = MouseButton::Right;
        a.point = f.opt_xy("x", "y", true);
    } else if (type == "DOUBLE_CLICK") {
        a.kind = ActionKind::DoubleClick;
        a.point = f.opt_xy("x", "y", true);
    } else if (type == "DRAG_TO") {
        a.kind = ActionKind::Drag;  // from the pointer's position, left button
        auto end = f.opt_xy("x", "y", true);
        if (!end) throw ProtocolError("missing_field", "fields 'x' and 'y' are required");
        a.path.push_back(*end);
    } else if (type == "SCROLL") {
        a.kind = ActionKind::Scroll;
        // pyautogui: vscroll(+n) scrolls up, hscroll(+n) scrolls right.
        const auto dx = f.opt_integer("dx", -kMaxScrollClicks, kMaxScrollClicks);
        const auto dy = f.opt_integer("dy", -kMaxScrollClicks, kMaxScrollClicks);
        if (!dx && !dy) throw ProtocolError("missing_field", "field 'dx' or 'dy' is required");
        a.scroll_x = static_cast<int>(dx.value_or(0));
        a.scroll_y = static_cast<int>(-dy.value_or(0));
    } else if (type == "TYPING") {
        a.kind = ActionKind::Type;
        a.text = f.string("text", kMaxTextBytes);
    } else if (type == "PRESS") {
        a.kind = ActionKind::Key;
        a.keys = key_field(f, "key");
    } else if (type == "KEY_DOWN" || type == "KEY_UP") {
        a.kind = type == "KEY_DOWN" ? ActionKind::KeyDown : ActionKind::KeyUp;
        a.keys = key_field(f, "key");
    } else if (type == "HOTKEY") {
        a.kind = ActionKind::Key;
        const Json* keys = f.find("keys");
        if (!keys || !keys->is_array() || keys->empty())
            throw ProtocolError("invalid_field", "field 'keys' must be a non-empty array of key names");
        if (keys->size() > kMaxChordKeys)
            throw ProtocolError("too_large", "field 'keys' has more than " + std::to_string(kMaxChordKeys) + " keys");
        for (const Json& k : *keys) {
            if (!k.is_string()) throw ProtocolError("invalid_field", "field 'keys' must be an array of key names");
            a.keys.push_back(key_or_error(k.get_ref<const std::string&>()));
        }
    } else if (type == "WAIT") {
        a.kind = ActionKind::Wait;
        a.duration = kOsworldWait;
    } else if (type == "FAIL") {
        a.kind = ActionKind::Fail;
    } else if (type == "DONE") {
        a.kind = ActionKind::Done;
    } else {
        throw ProtocolError("unknown_action", "unknown OSWorld action_type '" + type + "'");
    }
    out.steps.push_back(std::move(a));
}

}  // namespace deskbox
