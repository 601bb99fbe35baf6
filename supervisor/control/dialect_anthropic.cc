// Anthropic computer use, both shapes the model emits:
// - the computer tool (computer_20241022, computer_20250124,
//   computer_20251124): one tool_use block named "computer" whose input holds
//   the action, {"action":"left_click","coordinate":[640,400],"text":"shift"};
// - the computer toolset (computer_toolset_20260801): each action is a member
//   tool of its own, {"type":"tool_use","id":"toolu_..","name":"left_click",
//   "toolset_name":"computer","input":{"coordinate":[640,400]}}. Its inputs are
//   typed (the SDKs' BetaComputer*Input); a field outside a member's type is
//   an error, never dropped.
// Field meanings: docs/protocol.md, "Anthropic".
#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>

#include "supervisor/control/agent_request.h"
#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

constexpr std::array kActions = {
    "key",
    "hold_key",
    "type",
    "mouse_move",
    "left_click",
    "right_click",
    "middle_click",
    "double_click",
    "triple_click",
    "left_click_drag",
    "left_mouse_down",
    "left_mouse_up",
    "scroll",
    "wait",
    "screenshot",
    "cursor_position",
    "zoom",
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
    if (direction == "up")
        a.scroll_y = -amount;
    else if (direction == "down")
        a.scroll_y = amount;
    else if (direction == "left")
        a.scroll_x = -amount;
    else if (direction == "right")
        a.scroll_x = amount;
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
        const double d = e.get<double>();
        if (!e.is_number_integer() && !(e.is_number_float() && std::trunc(d) == d))
            throw ProtocolError("invalid_field", "field 'region' must be [x0, y0, x1, y1] integers");
        // Clamped while still a double: converting a double outside long's range (1e300) is undefined.
        v[i] = static_cast<int>(std::clamp(d, -1.0, static_cast<double>(1 << 30)));
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

namespace {

// One action of either shape; `toolset` applies the toolset's typed inputs
// (durations, scroll_amount and start_coordinate are required there).
void parse_member(const std::string& name, const Fields& f, bool toolset, AgentRequest& out) {
    auto& steps = out.steps;
    auto required_seconds = [&](std::string_view key) {
        if (toolset && !f.has(key))
            throw ProtocolError("missing_field", "field '" + std::string(key) + "' is required");
        return seconds_field(f, key, Millis(1000));
    };
    if (name == "key") {
        const auto chords = parse_key_sequence(f.string("text", kMaxNameBytes), "text");
        const long repeat = f.opt_integer("repeat", 1, kMaxKeyRepeat).value_or(1);
        if (static_cast<std::size_t>(repeat) * chords.size() > static_cast<std::size_t>(kMaxKeyRepeat))
            throw ProtocolError("too_large", "field 'repeat' times the chords in 'text' is " +
                                                 std::to_string(static_cast<std::size_t>(repeat) * chords.size()) +
                                                 " key presses, more than " + std::to_string(kMaxKeyRepeat));
        for (long i = 0; i < repeat; ++i) {
            for (const auto& chord : chords) {
                Action a;
                a.kind = ActionKind::Key;
                a.keys = chord;
                steps.push_back(std::move(a));
            }
        }
    } else if (name == "hold_key") {
        Action a;
        a.kind = ActionKind::Key;
        a.keys = chord_or_error(f.string("text", kMaxNameBytes));
        a.duration = required_seconds("duration");
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
        auto start = f.opt_coordinate_pair("start_coordinate");
        if (toolset && !start) throw ProtocolError("missing_field", "field 'start_coordinate' is required");
        if (start) a.path.push_back(*start);
        auto end = f.opt_coordinate_pair("coordinate");
        if (!end) throw ProtocolError("missing_field", "field 'coordinate' is required");
        a.path.push_back(*end);
        a.held_keys = held_modifiers(f);
        steps.push_back(std::move(a));
    } else if (name == "scroll") {
        if (toolset && !f.has("scroll_amount"))
            throw ProtocolError("missing_field", "field 'scroll_amount' is required");
        steps.push_back(scroll_action(f));
    } else if (name == "wait") {
        Action a;
        a.kind = ActionKind::Wait;
        a.duration = required_seconds("duration");
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

// The toolset's members: their input fields (BetaComputer*Input in the SDKs)
// and the acknowledgment the SDK's toolset runner answers a pure action with
// ({text}, {duration}, {scroll_direction} are filled from the input).
struct ToolsetMember {
    const char* name;
    std::initializer_list<const char*> fields;
    const char* confirmation;  // null: the reply is an image or the cursor position
};

const std::array<ToolsetMember, 17> kToolset = {{
    {"key", {"text", "repeat"}, "Pressed {text}."},
    {"hold_key", {"text", "duration"}, "Held {text} for {duration}s."},
    {"type", {"text"}, "Typed."},
    {"cursor_position", {}, nullptr},
    {"mouse_move", {"coordinate"}, "Moved the mouse."},
    {"left_mouse_down", {}, "Left mouse button pressed."},
    {"left_mouse_up", {}, "Left mouse button released."},
    {"left_click", {"coordinate", "text"}, "Clicked."},
    {"left_click_drag", {"coordinate", "start_coordinate", "text"}, "Dragged."},
    {"right_click", {"coordinate", "text"}, "Right-clicked."},
    {"middle_click", {"coordinate", "text"}, "Middle-clicked."},
    {"double_click", {"coordinate", "text"}, "Double-clicked."},
    {"triple_click", {"coordinate", "text"}, "Triple-clicked."},
    {"scroll", {"scroll_amount", "scroll_direction", "coordinate", "text"}, "Scrolled {scroll_direction}."},
    {"wait", {"duration"}, "Waited {duration}s."},
    {"screenshot", {}, nullptr},
    {"zoom", {"region"}, nullptr},
}};

// Fields of the tool_use block itself: the API's (type, id, name,
// toolset_name, input, caller; cache_control when replayed from a message
// param) and deskbox's envelope.
constexpr std::array kBlockFields = {"type",          "id",      "name",    "toolset_name",    "input", "caller",
                                     "cache_control", "dialect", "capture", "screenshot_after"};

template <typename Names>
bool listed(const Names& names, std::string_view key) {
    for (std::string_view n : names)
        if (n == key) return true;
    return false;
}

const ToolsetMember* toolset_member(std::string_view name) {
    for (const auto& m : kToolset)
        if (name == m.name) return &m;
    return nullptr;
}

// A value as the SDK's acknowledgment spells it (JavaScript's String(value)).
std::string spelled(const Json* v) {
    if (!v) return {};
    if (v->is_string()) return v->get<std::string>();
    if (v->is_number()) {
        const double d = v->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long>(d));
    }
    return v->dump();
}

std::string confirmation_text(const ToolsetMember& m, const Fields& input) {
    std::string out;
    for (const char* p = m.confirmation; *p;) {
        if (*p == '{') {
            const char* close = p;
            while (*close && *close != '}') ++close;
            out += spelled(input.find(std::string_view(p + 1, static_cast<std::size_t>(close - p - 1))));
            p = *close ? close + 1 : close;
        } else {
            out += *p++;
        }
    }
    return out;
}

std::string member_fields_list(const ToolsetMember& m) {
    std::string list;
    for (const char* f : m.fields) list += (list.empty() ? "" : ", ") + std::string(f);
    return list.empty() ? "none" : list;
}

}  // namespace

bool is_computer_toolset_member(std::string_view name) {
    return toolset_member(name) != nullptr;
}

void parse_anthropic(const Fields& f, AgentRequest& out) {
    const std::string name = f.string("action", 64);
    out.dialect = Dialect::Anthropic;
    out.action_name = name;
    parse_member(name, f, false, out);
}

void parse_anthropic_toolset(const Fields& block, AgentRequest& out) {
    out.dialect = Dialect::Anthropic;
    out.toolset_name = "computer";
    if (auto toolset = block.opt_string("toolset_name", 64); toolset && *toolset != "computer")
        throw ProtocolError("unknown_action", "toolset '" + *toolset + "' is not served here (only 'computer')");
    if (const Json* type = block.find("type"); type && *type != "tool_use")
        throw ProtocolError("invalid_field", "a computer toolset block has \"type\": \"tool_use\"");
    for (const auto& item : block.object().items()) {
        if (!listed(kBlockFields, item.key()))
            throw ProtocolError("invalid_field",
                                "unknown field '" + utf8_prefix(item.key(), 64) + "' in a tool_use block");
    }
    const std::string name = block.string("name", 64);
    out.action_name = name;
    out.tool_use_id = block.opt_string("id", kMaxIdLength).value_or("");
    const ToolsetMember* member = toolset_member(name);
    if (!member)
        throw ProtocolError("unknown_action", "unknown computer toolset member '" + utf8_prefix(name, 64) + "'");
    const Json* input = block.find("input");
    if (!input || !input->is_object())
        throw ProtocolError(input ? "invalid_field" : "missing_field", "a tool_use block needs an 'input' object");
    for (const auto& item : input->items()) {
        if (!listed(member->fields, item.key()))
            throw ProtocolError("invalid_field", "unknown field 'input." + utf8_prefix(item.key(), 64) +
                                                     "' of computer toolset member '" + name +
                                                     "' (its fields: " + member_fields_list(*member) + ")");
    }
    const Fields fields(*input, block.space());
    try {
        parse_member(name, fields, true, out);
    } catch (const ProtocolError& e) {
        throw with_field_path(e, "input.");  // where the field is: the block's input
    }
    if (member->confirmation) out.confirmation = confirmation_text(*member, fields);
}

}  // namespace deskbox
