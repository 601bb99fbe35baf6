// The normalized action: what every dialect (Anthropic computer tool, OpenAI
// computer_call, OSWorld computer_13, deskbox's own element actions) is turned
// into before the policy gate sees it and before anything reaches the display.
// Pure data: no X, no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/units.h"

namespace deskbox {

enum class ActionKind {
    // observations
    Screenshot,
    Tree,
    HitTest,
    CursorPosition,
    Zoom,
    Wait,
    // pointer
    MouseMove,
    Click,
    DoubleClick,
    TripleClick,
    MouseDown,
    MouseUp,
    Drag,
    Scroll,
    // keyboard
    Type,
    Key,
    KeyDown,
    KeyUp,
    // element-grounded (accessibility)
    ClickElement,
    TypeInto,
    FocusElement,
    // a manifest secret typed by name (its value never passes through the agent)
    TypeSecret,
    // episode control (OSWorld)
    Done,
    Fail,
    // files: a file placed into the sandbox (its own kind, so a policy can refuse it or ask a reviewer)
    Upload,
};

enum class Dialect { Deskbox, Anthropic, OpenAI, OSWorld };
enum class MouseButton { Left, Middle, Right, Back, Forward };

struct Point {
    int x = 0;
    int y = 0;
    bool operator==(const Point&) const = default;
};

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    bool operator==(const Rect&) const = default;
};

// OpenAI's pending_safety_checks on a computer_call: the gate sends the call
// to a reviewer, and the reply acknowledges exactly these after approval.
struct SafetyCheck {
    std::string id;
    std::string code;  // empty when the API sent null
    std::string message;
    bool operator==(const SafetyCheck&) const = default;
};

struct ElementTarget {
    std::string role;  // exact role name, or a regex when `regex`
    std::string name;
    bool regex = false;
    std::string app;  // optional filters
    std::string window;
};

// upload: the bytes (decoded from the request) or the name of a host file the
// manifest lists (`uploads:`), written to `path` inside the sandbox.
struct UploadRequest {
    std::string path;    // as the sandbox sees it; "~/x" = the app user's home
    std::string data;    // the bytes, when given inline
    std::string source;  // else the manifest's uploads entry
};

struct Action {
    ActionKind kind = ActionKind::Screenshot;
    // Coordinates are in the agent's (possibly scaled) screenshot space; the
    // executor maps them back to screen pixels.
    std::optional<Point> point;
    std::vector<Point> path;  // drag: start, (via...), end
    // pyautogui moveRel / dragRel: `point` (mouse_move) or the one path point
    // (drag) is an offset from the pointer; the agent server resolves it to
    // an absolute point before the gate sees the action.
    bool relative = false;
    MouseButton button = MouseButton::Left;
    int scroll_x = 0;                    // wheel clicks, + right
    int scroll_y = 0;                    // wheel clicks, + down
    std::vector<std::string> keys;       // X keysym names of one chord, in press order
    std::vector<std::string> held_keys;  // keysyms held down around a pointer action
    std::string text;                    // type / type_into
    std::string secret;                  // type_secret: the manifest secret's name, never its value
    Millis duration{0};                  // wait, hold_key
    std::optional<Rect> region;          // zoom
    std::optional<ElementTarget> element;
    // tree: "json" | "osworld_xml" | "linearized", and OSWorld's interactive filter
    std::string tree_format = "json";
    bool interactive_only = false;
    std::vector<SafetyCheck> safety_checks;  // never run on a policy's allow alone (policy/gate.cc)
    std::optional<UploadRequest> upload;
};

const char* to_string(ActionKind kind);     // "click", "type", ... (the policy's action names)
const char* to_string(Dialect dialect);     // "deskbox", "anthropic", "openai", "osworld"
const char* to_string(MouseButton button);  // "left", ...
bool is_observation(ActionKind kind);       // screenshot, tree, hit_test, cursor_position, zoom, wait

}  // namespace deskbox
