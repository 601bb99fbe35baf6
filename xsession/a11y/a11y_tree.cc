#include "xsession/a11y/a11y_tree.h"

#include <algorithm>
#include <cmath>

namespace deskbox::a11y {

Limits Limits::hard_maximum() {
    Limits l;
    l.max_nodes = 20000;
    l.max_depth = 100;
    l.max_children = 4096;
    l.max_text = 4096;
    l.max_attributes = 64;
    l.max_reply_bytes = 16 << 20;
    l.time_ms = 10000;
    return l;
}

bool Element::has_state(const std::string& state) const {
    return std::find(states.begin(), states.end(), state) != states.end();
}

std::vector<int> Tree::children_of(int id) const {
    std::vector<int> out;
    for (const Element& e : elements)
        if (e.parent == id) out.push_back(e.id);
    return out;
}

Rect scale_rect(const Rect& r, ScaleFactors scale) {
    // Scale both corners so that adjacent boxes stay adjacent after rounding.
    const long x0 = std::lround(r.x * scale.x), y0 = std::lround(r.y * scale.y);
    const long x1 = std::lround((r.x + r.width) * scale.x), y1 = std::lround((r.y + r.height) * scale.y);
    return Rect{static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(x1 - x0), static_cast<int>(y1 - y0)};
}

Point centre(const Rect& r) {
    return Point{r.x + r.width / 2, r.y + r.height / 2};
}

}  // namespace deskbox::a11y
