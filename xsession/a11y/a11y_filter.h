// Which elements an agent is shown: OSWorld's judge_node rules
// (mm_agents/accessibility_tree_wrap/heuristic_retrieve.py), so that a filtered
// tree lists the same elements OSWorld's agents are used to.
#pragma once

#include <string>

#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

enum class TreeFilter { All, Interactive };

// "all" | "interactive"; throws deskbox::Error for anything else.
TreeFilter parse_filter(const std::string& text);

// The role as an XML tag: spaces become '-', empty becomes "unknown".
std::string role_tag(const std::string& role);

// The text of an element as OSWorld sees it: the Text content with U+FFFC and
// U+FFFD (object placeholders) removed.
std::string visible_text(const Element& e);

// OSWorld's judge_node for the ubuntu platform: a role of an interactive kind,
// showing and visible, enabled/editable/expandable/checkable, with a name or
// text (or an image when `check_image`), and a box with x, y >= 0 and positive size.
bool is_interactive(const Element& e, bool check_image = false);

// The tree with only the interactive elements (in document order). Each kept
// element keeps its id; its parent becomes its nearest kept ancestor.
Tree filter_tree(const Tree& tree, TreeFilter filter);

}  // namespace deskbox::a11y
