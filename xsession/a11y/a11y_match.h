// Grounding an element target ({role, name} exact or regex, optional app and
// window) to elements, and the seeds' rule: an element action needs exactly one
// visible match; zero or several are refused with the count and the boxes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/regex_pattern.h"
#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

// A compiled target. Roles compare without case and with '-' and ' ' alike
// ("push-button" finds "push button"); names compare exactly unless `regex`:
// then every given field is an RE2 pattern searched anywhere in it
// (xsession/actions/element_regex.h; linear-time, "(?i)" ignores case).
// Throws deskbox::Error for an invalid or overlong pattern.
class TargetMatcher {
public:
    explicit TargetMatcher(const ElementTarget& target);
    bool matches(const Element& e) const;

private:
    ElementTarget target_;
    std::optional<Pattern> role_re_, name_re_, app_re_, window_re_;  // when target_.regex
};

// Visible for grounding: showing, visible and with a box of positive size.
bool is_actionable(const Element& e);

// All visible elements of `tree` that match (document order).
std::vector<Element> find_matches(const Tree& tree, const ElementTarget& target);

// Raised when a target does not resolve to exactly one element.
class GroundingError : public Error {
public:
    GroundingError(const std::string& message, std::vector<Element> candidates)
        : Error(message), candidates_(std::move(candidates)) {}
    const std::vector<Element>& candidates() const { return candidates_; }

private:
    std::vector<Element> candidates_;
};

// The one match, or GroundingError "expected one target, found N: ..." listing
// the candidates' roles, names and boxes. A truncated search is refused too,
// since the element that would make the match ambiguous may be beyond the cut.
Element resolve_one(const std::vector<Element>& matches, bool search_truncated, const std::string& truncated_reason,
                    const ElementTarget& target);

std::string describe_target(const ElementTarget& target);  // role "push button", name "OK"
std::string describe_element(const Element& e);            // push button "OK" at (10, 20, 80x30)

}  // namespace deskbox::a11y
