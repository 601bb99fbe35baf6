// A hand-built tree like the one the helper reports for a small GTK window and
// a browser page: the input of the format, filter and matching tests.
#pragma once

#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y::testing {

inline Element make(int id, int parent, int depth, std::string role, std::string name, std::vector<std::string> states,
                    std::optional<Rect> bbox = std::nullopt) {
    Element e;
    e.id = id;
    e.parent = parent;
    e.depth = depth;
    e.path = std::to_string(id);
    e.role = std::move(role);
    e.name = std::move(name);
    e.states = std::move(states);
    e.bbox = bbox;
    e.app = "demo";
    e.window = "Demo Window";
    return e;
}

inline const std::vector<std::string> kOnScreen = {"enabled", "sensitive", "showing", "visible"};

inline Tree sample_tree() {
    Tree t;
    t.elements.push_back(make(0, -1, 1, "application", "demo", {}));
    t.elements.back().toolkit = "GTK";
    t.elements.push_back(
        make(1, 0, 2, "frame", "Demo Window", {"active", "enabled", "showing", "visible"}, Rect{0, 0, 640, 480}));
    Element ok = make(2, 1, 3, "push button", "OK", kOnScreen, Rect{10, 20, 80, 30});
    ok.actions = {"click"};
    ok.action_keys = {"<Alt>o"};
    ok.description = "Accept the changes";
    ok.attributes = {{"toolkit", "gtk"}};
    ok.toolkit = "GTK";
    t.elements.push_back(ok);
    Element entry =
        make(3, 1, 3, "text", "", {"editable", "enabled", "focusable", "showing", "visible"}, Rect{10, 60, 200, 24});
    entry.text = "say \"hi\" & <bye>";
    entry.editable_text = true;
    t.elements.push_back(entry);
    // Hidden: not showing, so neither interactive nor actionable.
    t.elements.push_back(make(4, 1, 3, "push button", "Hidden", {"enabled", "visible"}, std::nullopt));
    // A second "OK" elsewhere on screen.
    t.elements.push_back(make(5, 1, 3, "push button", "OK", kOnScreen, Rect{300, 20, 80, 30}));
    Element slider = make(6, 1, 3, "slider", "Volume", kOnScreen, Rect{10, 100, 100, 20});
    slider.value = ElementValue{5, 0, 10, 0.5};
    t.elements.push_back(slider);
    // Off screen (negative x): OSWorld drops it.
    t.elements.push_back(make(7, 1, 3, "push button", "Far", kOnScreen, Rect{-50, 20, 40, 30}));
    // A label with no name and no text: dropped.
    t.elements.push_back(make(8, 1, 3, "label", "", kOnScreen, Rect{10, 130, 40, 20}));
    return t;
}

}  // namespace deskbox::a11y::testing
