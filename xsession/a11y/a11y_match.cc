#include "xsession/a11y/a11y_match.h"

#include <algorithm>
#include <cctype>

namespace deskbox::a11y {

namespace {

constexpr std::size_t kMaxRegex = 256;

std::string normalize_role(std::string s) {
    for (char& c : s) c = c == '-' || c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::regex compile(const std::string& pattern, const char* field) {
    if (pattern.size() > kMaxRegex)
        throw Error(std::string("element target ") + field + " regex longer than " + std::to_string(kMaxRegex));
    try {
        return std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        throw Error(std::string("element target ") + field + " regex '" + pattern + "': " + e.what());
    }
}

}  // namespace

TargetMatcher::TargetMatcher(const ElementTarget& target) : target_(target) {
    if (!target.regex) return;
    if (!target.role.empty()) role_re_ = compile(target.role, "role"), has_role_re_ = true;
    if (!target.name.empty()) name_re_ = compile(target.name, "name"), has_name_re_ = true;
    if (!target.app.empty()) app_re_ = compile(target.app, "app"), has_app_re_ = true;
    if (!target.window.empty()) window_re_ = compile(target.window, "window"), has_window_re_ = true;
}

bool TargetMatcher::field_matches(const std::string& wanted, const std::regex* re, const std::string& actual) const {
    if (wanted.empty()) return true;
    if (re) return std::regex_search(actual, *re);
    return actual == wanted;
}

bool TargetMatcher::matches(const Element& e) const {
    if (!target_.role.empty()) {
        if (has_role_re_) {
            if (!std::regex_search(e.role, role_re_)) return false;
        } else if (normalize_role(target_.role) != normalize_role(e.role)) {
            return false;
        }
    }
    return field_matches(target_.name, has_name_re_ ? &name_re_ : nullptr, e.name) &&
           field_matches(target_.app, has_app_re_ ? &app_re_ : nullptr, e.app) &&
           field_matches(target_.window, has_window_re_ ? &window_re_ : nullptr, e.window);
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
    std::string message = "expected one target, found " + std::to_string(matches.size()) + " for " +
                          describe_target(target);
    if (search_truncated)
        message += " (the search was truncated: " + truncated_reason + "; narrow it with app or window)";
    const std::size_t shown = std::min<std::size_t>(matches.size(), 10);
    for (std::size_t i = 0; i < shown; ++i) message += (i == 0 ? ": " : "; ") + describe_element(matches[i]);
    if (matches.size() > shown) message += "; ...";
    throw GroundingError(message, matches);
}

}  // namespace deskbox::a11y
