// OSWorld's two text forms of the accessibility tree, so that agents built for
// OSWorld read deskbox's output unchanged:
//  - the XML of desktop_env/server/main.py (_create_atspi_node): a
//    <desktop-frame> root, one element per accessible named by its role with
//    '-' for spaces, states/attributes/component/value/action in the st, attr,
//    cp, val and act namespaces (OSWorld's exact URIs);
//  - the linearized table of mm_agents/agent.py (linearize_accessibility_tree)
//    over the judge_node-filtered elements.
// Unlike OSWorld on Linux, the class and description columns are filled.
//
// Positions and sizes are in the agent's space: each box is scaled by
// `scale` (screenshot size / screen size, scale_rect) so that an agent that
// reads a position off the tree clicks where the element is on the
// screenshot it was given. The identity scale gives screen pixels.
#pragma once

#include <string>

#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

inline constexpr const char* kNsState = "https://accessibility.ubuntu.example.org/ns/state";
inline constexpr const char* kNsAttributes = "https://accessibility.ubuntu.example.org/ns/attributes";
inline constexpr const char* kNsComponent = "https://accessibility.ubuntu.example.org/ns/component";
inline constexpr const char* kNsDocument = "https://accessibility.ubuntu.example.org/ns/document";
inline constexpr const char* kNsDocAttributes = "https://accessibility.ubuntu.example.org/ns/document/attributes";
inline constexpr const char* kNsText = "https://accessibility.ubuntu.example.org/ns/text";
inline constexpr const char* kNsValue = "https://accessibility.ubuntu.example.org/ns/value";
inline constexpr const char* kNsAction = "https://accessibility.ubuntu.example.org/ns/action";

// The whole tree as OSWorld's XML (one string, no XML declaration, as lxml's
// tostring); cp:screencoord and cp:size in screenshot space.
std::string to_osworld_xml(const Tree& tree, ScaleFactors scale);

// OSWorld's linearized table: the header line, then one line per interactive
// element: tag, name, text, class, description, "(x, y)", "(w, h)"; the
// position and size in screenshot space. Which elements are listed is decided
// on the screen boxes, so the rows do not depend on the scale.
std::string to_linearized(const Tree& tree, ScaleFactors scale);

// The class column: the toolkit's class of the element where the toolkit says
// it (object attribute "class", else the HTML "tag" browsers give), else the
// role qualified by the toolkit name ("GTK.push-button"; the role alone when
// the toolkit is unknown). Never empty.
std::string element_class(const Element& e);

// Escaping for XML text and attribute values; characters XML 1.0 forbids are dropped.
std::string xml_escape(const std::string& s, bool attribute);
// An XML name from an arbitrary attribute or action name.
std::string xml_name(const std::string& s);

}  // namespace deskbox::a11y
