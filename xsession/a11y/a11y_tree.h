// The accessibility tree as the supervisor sees it: a flat, bounded list of
// elements in document (pre-)order, each pointing at its parent. The helper
// inside the sandbox produces it from AT-SPI; unit tests build it by hand.
// Pure data: no D-Bus, no X.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xsession/actions/action.h"

namespace deskbox::a11y {

// Hard limits of one query. The helper clamps what it is asked for to these
// maxima; the client checks that what comes back respects them.
struct Limits {
    int max_nodes = 4000;
    int max_depth = 50;       // OSWorld's MAX_DEPTH
    int max_children = 1024;  // OSWorld's MAX_WIDTH: children visited per node
    int max_text = 512;       // characters of text / name / description per element
    int max_attributes = 32;  // object attributes per element
    int max_reply_bytes = 4 << 20;
    int time_ms = 3000;  // whole query, AT-SPI calls included

    static Limits hard_maximum();  // what the helper never exceeds whatever it is asked
};

// Value interface of an element (sliders, spin buttons, progress bars).
struct ElementValue {
    double current = 0, minimum = 0, maximum = 0, step = 0;
};

struct Element {
    int id = 0;        // index in Tree::elements (stable within one query)
    int parent = -1;   // -1 for an application (the desktop is implicit)
    int depth = 0;     // 1 for applications, as in OSWorld's walk
    std::string path;  // child indices from the desktop, "2.0.3"; the helper re-finds the element by it
    std::string role;  // AT-SPI role name, "push button"
    std::string name;
    std::string description;
    std::vector<std::string> states;                // "showing", "visible", "multi_line" (pyatspi's names, lower case)
    std::map<std::string, std::string> attributes;  // AT-SPI object attributes
    std::optional<Rect> bbox;  // screen coordinates, when the element has a Component and is showing
    std::string text;          // excerpt of the Text interface's content
    bool text_truncated = false;
    std::optional<ElementValue> value;
    std::vector<std::string> actions;      // action names, "click", "press"
    std::vector<std::string> action_keys;  // key bindings, parallel to `actions`
    bool image = false;                    // implements Image
    bool selection = false;                // implements Selection
    bool editable_text = false;            // implements EditableText
    std::string toolkit;                   // "GTK", "Chromium", "soffice"
    std::string app;                       // name of the application the element belongs to
    std::string window;                    // name of its top-level window (frame, dialog...)
    // Hit test / focused element only: the URL of the web document it is in
    // ("" outside any document), so the gate knows the domain without a walk.
    std::string document_url;

    bool has_state(const std::string& state) const;
};

struct Tree {
    std::vector<Element> elements;
    bool truncated = false;
    std::string truncated_reason;  // "max_nodes", "max_depth", "max_children", "time", "reply_bytes"

    std::vector<int> children_of(int id) const;  // in order; -1: the applications
};

// Screenshot space = screen space scaled by these factors (screenshot width / screen width).
struct ScaleFactors {
    double x = 1.0;
    double y = 1.0;
};

Rect scale_rect(const Rect& r, ScaleFactors scale);
Point centre(const Rect& r);

}  // namespace deskbox::a11y
