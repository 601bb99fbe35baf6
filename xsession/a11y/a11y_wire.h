// The JSON lines spoken between the supervisor and the deskbox-a11y helper.
// The helper encodes; the supervisor decodes and never trusts: every field is
// type-checked and bounded, and a reply that breaks the shape is an error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

// Helper side: one element as it travels on the wire.
nlohmann::json element_to_wire(const Element& e);

// Supervisor side: parses one reply line. Throws deskbox::Error
// ("a11y helper reply: ...") when it is not a JSON object of bounded nesting,
// or when the helper answered {"ok": false, "error": ...}.
nlohmann::json parse_reply(std::string_view line, int max_bytes);

// Supervisor side: the "elements" array of a reply into a Tree, checking every
// field against `limits` (types, lengths, counts, parent order). `flat`: a list
// of unrelated elements (find's matches), each with parent -1.
Tree tree_from_wire(const nlohmann::json& reply, const Limits& limits, bool flat = false);

// The agent-facing JSON of a tree: ids, bbox in screen and screenshot space.
nlohmann::json tree_to_json(const Tree& tree, ScaleFactors scale);
nlohmann::json element_to_json(const Element& e, ScaleFactors scale);

// Cuts `s` to at most `max_chars` UTF-8 code points, never inside a sequence;
// invalid bytes become U+FFFD so that the result is always valid UTF-8.
std::string utf8_excerpt(std::string_view s, int max_chars, bool* truncated = nullptr);

}  // namespace deskbox::a11y
