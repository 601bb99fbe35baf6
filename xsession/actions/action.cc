#include "xsession/actions/action.h"

namespace deskbox {

const char* to_string(ActionKind kind) {
    switch (kind) {
        case ActionKind::Screenshot:
            return "screenshot";
        case ActionKind::Tree:
            return "tree";
        case ActionKind::HitTest:
            return "hit_test";
        case ActionKind::CursorPosition:
            return "cursor_position";
        case ActionKind::Zoom:
            return "zoom";
        case ActionKind::Wait:
            return "wait";
        case ActionKind::MouseMove:
            return "mouse_move";
        case ActionKind::Click:
            return "click";
        case ActionKind::DoubleClick:
            return "double_click";
        case ActionKind::TripleClick:
            return "triple_click";
        case ActionKind::MouseDown:
            return "mouse_down";
        case ActionKind::MouseUp:
            return "mouse_up";
        case ActionKind::Drag:
            return "drag";
        case ActionKind::Scroll:
            return "scroll";
        case ActionKind::Type:
            return "type";
        case ActionKind::Key:
            return "key";
        case ActionKind::KeyDown:
            return "key_down";
        case ActionKind::KeyUp:
            return "key_up";
        case ActionKind::ClickElement:
            return "click_element";
        case ActionKind::TypeInto:
            return "type_into";
        case ActionKind::TypeSecret:
            return "type_secret";
        case ActionKind::FocusElement:
            return "focus_element";
        case ActionKind::Done:
            return "done";
        case ActionKind::Fail:
            return "fail";
        case ActionKind::Upload:
            return "upload";
    }
    return "unknown";
}

const char* to_string(Dialect dialect) {
    switch (dialect) {
        case Dialect::Deskbox:
            return "deskbox";
        case Dialect::Anthropic:
            return "anthropic";
        case Dialect::OpenAI:
            return "openai";
        case Dialect::OSWorld:
            return "osworld";
    }
    return "deskbox";
}

const char* to_string(MouseButton button) {
    switch (button) {
        case MouseButton::Left:
            return "left";
        case MouseButton::Middle:
            return "middle";
        case MouseButton::Right:
            return "right";
        case MouseButton::Back:
            return "back";
        case MouseButton::Forward:
            return "forward";
    }
    return "left";
}

bool is_observation(ActionKind kind) {
    switch (kind) {
        case ActionKind::Screenshot:
        case ActionKind::Tree:
        case ActionKind::HitTest:
        case ActionKind::CursorPosition:
        case ActionKind::Zoom:
        case ActionKind::Wait:
            return true;
        default:
            return false;
    }
}

}  // namespace deskbox
