// Anthropic computer tool actions (computer_20241022, computer_20250124,
// computer_20251124), as the model emits them in a tool_use block's input:
// {"action":"left_click","coordinate":[640,400],"text":"shift"}.
// Field meanings: docs/protocol.md, "Anthropic".
#include <algorithm>
#include <array>

#include "supervisor/control/agent_request.h"

namespace deskbox {
namespace {

constexpr std::array kActions = {
    "key", "hold_key", "type", "mouse_move", "left_click", "right_click", "middle_click", "double_click",
    "triple_click", "left_click_drag", "left_mouse_down", "left_mouse_up", "scroll", "wait", "screenshot",
    "cursor_position", "zoom",
};

// The 20250124 `text` field on clicks and scroll: modifier keys held meanwhile.
std::vector<std::string> held_modifiers(const Fields& f) {
    const auto text = f.opt_string("text", kMaxNameBytes);
    if (!text || text->empty()) return {};
    return chord_or_error(*text);
}

Action pointer_action(ActionKind kind, MouseButton button, const Fields& f) {
    Action a;
    a.kind = kind;
    a.button = button;
    a.point = f.opt_coordinate_pair("coordinate");
    a.held_keys = held_modifiers(f);
    return a;
}

Action scroll_action(const Fields& f) {
    Action a;
    a.kind = ActionKind::Scroll;
    const std::string direction = f.string("scroll_direction", 16);
    const int amount = static_cast<int>(f.opt_integer("scroll_amount", 0, kMaxScrollClicks).value_or(3));
    if (direction == "up") a.scroll_y = -amount;
    else if (direction == "down") a.scroll_y = amount;
    else if (direction == "left") a.scroll_x = -amount;
    else if (direction == "right") a.scroll_x = amount;
    else
        throw ProtocolError("invalid_field",
                            "field 'scroll_direction' must be up, down, left or right, got '" + direction + "'");
    a.point = f.opt_coordinate_pair("coordinate");
    a.held_keys = held_modifiers(f);
    return a;
}

Action zoom_action(const Fields& f) {
    const Json* region = f.find("region");
    if (!region) throw ProtocolError("missing_field", "field 'region' is required");
    if (!region->is_array() || region->size() != 4)
        throw ProtocolError("invalid_field", "field 'region' must be [x0, y0, x1, y1] integers");
    int v[4];
    for (std::size_t i = 0; i < 4; ++i) {
        const Json& e = (*region)[i];
        if (!e.is_number_integer() && !(e.is_number_float() && e.get<double>() == static_cast<long>(e.get<double>())))
            throw ProtocolError("invalid_field", "field 'region' must be [x0, y0, x1, y1] integers");
        const long n = static_cast<long>(e.get<double>());
        v[i] = static_cast<int>(std::clamp<long>(n, -1, 1L << 30));
    }
    const CoordinateSpace s = f.space();
    if (v[0] < 0 || v[1] < 0 || v[2] > s.width || v[3] > s.height || v[2] <= v[0] || v[3] <= v[1])
        throw ProtocolError("out_of_range", "field 'region' [" + std::to_string(v[0]) + ", " + std::to_string(v[1]) +
                                                ", " + std::to_string(v[2]) + ", " + std::to_string(v[3]) +
                                                "] is empty or outside the screen (" + std::to_string(s.width) + "x" +
                                                std::to_string(s.height) + ")");
    Action a;
    a.kind = ActionKind::Zoom;
    a.region = Rect{v[0], v[1], v[2] - v[0], v[3] - v[1]};
    return a;
}

}  // namespace

bool is_anthropic_action(std::string_view name) {
    for (std::string_view a : kActions)
        if (a == name) return true;
    return false;
}

void parse_anthropic(const Fields& f, AgentRequest& out) {
    const std::string name = f.string("action", 64);
    out.dialect = Dialect::Anthropic;
    out.action_name = name;
    auto& steps = out.steps;
    if (name == "key") {
        for (auto& chord : parse_key_sequence(f.string("text", kMaxNameBytes), "text")) {
            Action a;
            a.kind = ActionKind::Key;
            a.keys = std::move(chord);
            steps.push_back(std::move(a));
        }
    } else if (name == "hold_key") {
        Action a;
        a.kind = ActionKind::Key;
        a.keys = chord_or_error(f.string("text", kMaxNameBytes));
        a.duration = seconds_field(f, "duration", Millis(1000));
        steps.push_back(std::move(a));
    } else if (name == "type") {
        Action a;
        a.kind = ActionKind::Type;
        a.text = f.string("text", kMaxTextBytes);
        steps.push_back(std::move(a));
    } else if (name == "mouse_move") {
        Action a;
        a.kind = ActionKind::MouseMove;
        a.point = f.opt_coordinate_pair("coordinate");
        if (!a.point) throw ProtocolError("missing_field", "field 'coordinate' is required");
        a.held_keys = held_modifiers(f);
        steps.push_back(std::move(a));
    } else if (name == "left_click") {
        steps.push_back(pointer_action(ActionKind::Click, MouseButton::Left, f));
    } else if (name == "right_click") {
        steps.push_back(pointer_action(ActionKind::Click, MouseButton::Right, f));
    } else if (name == "middle_click") {
        steps.push_back(pointer_action(ActionKind::Click, MouseButton::Middle, f));
    } else if (name == "double_click") {
        steps.push_back(pointer_action(ActionKind::DoubleClick, MouseButton::Left, f));
    } else if (name == "triple_click") {
        steps.push_back(pointer_action(ActionKind::TripleClick, MouseButton::Left, f));
    } else if (name == "left_mouse_down") {
        steps.push_back(pointer_action(ActionKind::MouseDown, MouseButton::Left, f));
    } else if (name == "left_mouse_up") {
        steps.push_back(pointer_action(ActionKind::MouseUp, MouseButton::Left, f));
    } else if (name == "left_click_drag") {
        Action a;
        a.kind = ActionKind::Drag;
        // 20241022 drags from the pointer's position; 20250124 names the start.
        if (auto start = f.opt_coordinate_pair("start_coordinate")) a.path.push_back(*start);
        auto end = f.opt_coordinate_pair("coordinate");
        if (!end) throw ProtocolError("missing_field", "field 'coordinate' is required");
        a.path.push_back(*end);
        a.held_keys = held_modifiers(f);
        steps.push_back(std::move(a));
    } else if (name == "scroll") {
        steps.push_back(scroll_action(f));
    } else if (name == "wait") {
        Action a;
        a.kind = ActionKind::Wait;
        a.duration = seconds_field(f, "duration", Millis(1000));
        steps.push_back(std::move(a));
    } else if (name == "screenshot") {
        steps.push_back(Action{});
    } else if (name == "cursor_position") {
        Action a;
        a.kind = ActionKind::CursorPosition;
        steps.push_back(std::move(a));
    } else if (name == "zoom") {
        steps.push_back(zoom_action(f));
    } else {
        throw ProtocolError("unknown_action", "unknown Anthropic computer action '" + name + "'");
    }
}

}  // namespace deskbox
