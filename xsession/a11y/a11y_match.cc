#include "xsession/a11y/a11y_match.h"

#include <algorithm>
#include <cctype>

#include "xsession/actions/element_regex.h"

namespace deskbox::a11y {

namespace {

std::string normalize_role(std::string s) {
    for (char& c : s) c = c == '-' || c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// An empty field is no condition; an exact field compares whole.
bool field_matches(const std::string& wanted, const std::optional<Pattern>& re, const std::string& actual) {
    if (wanted.empty()) return true;
    if (re) return re->matches(actual);
    return actual == wanted;
}

}  // namespace

TargetMatcher::TargetMatcher(const ElementTarget& target) : target_(target) {
    if (!target.regex) return;
    if (!target.role.empty()) role_re_ = compile_element_regex("role", target.role);
    if (!target.name.empty()) name_re_ = compile_element_regex("name", target.name);
    if (!target.app.empty()) app_re_ = compile_element_regex("app", target.app);
    if (!target.window.empty()) window_re_ = compile_element_regex("window", target.window);
}

bool TargetMatcher::matches(const Element& e) const {
    if (!target_.role.empty()) {
        if (role_re_) {
            if (!role_re_->matches(e.role)) return false;
        } else if (normalize_role(target_.role) != normalize_role(e.role)) {
            return false;
        }
    }
    return field_matches(target_.name, name_re_, e.name) && field_matches(target_.app, app_re_, e.app) &&
           field_matches(target_.window, window_re_, e.window);
}

bool is_actionable(const Element& e) {
    return e.has_state("showing") && e.has_state("visible") && e.bbox && e.bbox->width > 0 && e.bbox->height > 0;
}

std::vector<Element> find_matches(const Tree& tree, const ElementTarget& target) {
    const TargetMatcher matcher(target);
    std::vector<Element> out;
    for (const Element& e : tree.elements)
        if (is_actionable(e) && matcher.matches(e)) out.push_back(e);
    return out;
}

std::string describe_target(const ElementTarget& target) {
    std::string s;
    auto add = [&](const char* field, const std::string& v) {
        if (v.empty()) return;
        if (!s.empty()) s += ", ";
        s += std::string(field) + (target.regex ? " ~ \"" : " \"") + v + "\"";
    };
    add("role", target.role);
    add("name", target.name);
    add("app", target.app);
    add("window", target.window);
    return s.empty() ? "any element" : s;
}

std::string describe_element(const Element& e) {
    std::string s = e.role + " \"" + e.name + "\"";
    if (e.bbox)
        s += " at (" + std::to_string(e.bbox->x) + ", " + std::to_string(e.bbox->y) + ", " +
             std::to_string(e.bbox->width) + "x" + std::to_string(e.bbox->height) + ")";
    if (!e.app.empty()) s += " in " + e.app;
    return s;
}

Element resolve_one(const std::vector<Element>& matches, bool search_truncated, const std::string& truncated_reason,
                    const ElementTarget& target) {
    if (matches.size() == 1 && !search_truncated) return matches.front();
    std::string message =
        "expected one target, found " + std::to_string(matches.size()) + " for " + describe_target(target);
    if (search_truncated)
        message += " (the search was truncated: " + truncated_reason + "; narrow it with app or window)";
    const std::size_t shown = std::min<std::size_t>(matches.size(), 10);
    for (std::size_t i = 0; i < shown; ++i) message += (i == 0 ? ": " : "; ") + describe_element(matches[i]);
    if (matches.size() > shown) message += "; ...";
    throw GroundingError(message, matches);
}

}  // namespace deskbox::a11y
