// The regular expressions of an element target ({"regex": true}: role, name,
// app and window are patterns). They come from the agent and run over names
// that applications choose, so they are RE2 (supervisor/base/regex_pattern.h):
// matching is linear in the text, there are no backreferences or lookaround,
// and no pattern can make grounding slow. "(?i)" at the start ignores case; a
// pattern is searched anywhere in the field (anchor it with ^...$).
//
// The protocol parser checks them when the request arrives, so a bad pattern
// is a protocol error before the gate sees the action; the accessibility
// client and helper compile them again with the same function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "supervisor/base/regex_pattern.h"
#include "xsession/actions/action.h"

namespace deskbox {

constexpr std::size_t kMaxElementRegexBytes = 256;

// Compiles one field ("role", "name", "app", "window") of a regex target.
// Throws deskbox::Error naming the field, the pattern and RE2's reason:
//   field 'name': invalid regular expression '(': missing ): (
Pattern compile_element_regex(std::string_view field, const std::string& source);

// Every non-empty field of `target` when it is a regex target; does nothing
// for an exact target. Throws as above for the first bad one.
void check_element_regexes(const ElementTarget& target);

}  // namespace deskbox
