#include "supervisor/manifest/secret_conditions.h"

#include <algorithm>
#include <cctype>

namespace deskbox {
namespace {

bool same_text(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

bool field_allowed(const SecretUse& use, const TargetElement& t) {
    return std::any_of(use.fields.begin(), use.fields.end(), [&](const ElementSpec& f) {
        return (f.role.empty() || same_text(f.role, t.role)) && (f.name.empty() || f.name == t.name);
    });
}

bool window_allowed(const SecretUse& use, const FocusedWindow& w) {
    return std::any_of(use.window_classes.begin(), use.window_classes.end(),
                       [&](const std::string& c) { return same_text(c, w.window_class) || same_text(c, w.instance); });
}

std::string describe(const TargetElement& t) {
    return "'" + t.role + "' '" + t.name + "'";
}

std::optional<SecretRefusal> target_refusal(const SecretRef& s, const GateContext& c) {
    if (!c.readable("target"))
        return SecretRefusal{"target", "the target element is not known (" + c.unreadable.at("target") +
                                           "), so it cannot be shown to be a password field"};
    if (!c.target) return SecretRefusal{"target", "no element would receive the secret"};
    if (is_password_field(c.target) || field_allowed(s.use, *c.target)) return std::nullopt;
    return SecretRefusal{"target", "the element " + describe(*c.target) +
                                       " is not a password field nor a field secrets." + s.name + ".fields allows"};
}

std::optional<SecretRefusal> place_refusal(const SecretRef& s, const GateContext& c) {
    if (c.window && window_allowed(s.use, *c.window)) return std::nullopt;
    if (!c.readable("domain"))
        return SecretRefusal{"place", "the browser document's host is not known (" + c.unreadable.at("domain") + ")"};
    if (!c.domain.empty()) {
        if (std::any_of(s.domains.begin(), s.domains.end(),
                        [&](const std::string& d) { return host_matches(d, c.domain); }))
            return std::nullopt;
        return SecretRefusal{"place", "the page's host '" + c.domain + "' is not in secrets." + s.name + ".domains"};
    }
    if (!c.readable("window"))
        return SecretRefusal{"place", "the window is not known (" + c.unreadable.at("window") + ")"};
    const std::string window = c.window ? "window '" + c.window->window_class + "'" : "no window";
    return SecretRefusal{"place",
                         window + " shows no browser document and is not one secrets." + s.name + ".windows allows"};
}

}  // namespace

std::optional<SecretRefusal> secret_refusal(const std::vector<SecretRef>& secrets, const std::string& name,
                                            const GateContext& context) {
    const auto it = std::find_if(secrets.begin(), secrets.end(), [&](const SecretRef& s) { return s.name == name; });
    if (it == secrets.end()) return SecretRefusal{"secret", "the manifest has no secret named '" + name + "'"};
    if (auto r = target_refusal(*it, context)) return r;
    return place_refusal(*it, context);
}

}  // namespace deskbox
