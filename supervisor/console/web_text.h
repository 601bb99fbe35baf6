// The small text formats a web page needs: the Cookie and Set-Cookie
// headers, application/x-www-form-urlencoded bodies, and HTML escaping.
// (Beast parses HTTP itself; these are the parts it leaves to the app.)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/audit/audit_html.h"

namespace deskbox::console {

inline constexpr const char* kCookieName = "deskbox_console";

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);
// Set-Cookie for a login: HttpOnly (no script reads it), SameSite=Strict (no
// other site's page sends it), Path=/, Max-Age; Secure when served over TLS
// (the reverse proxy terminates it: --secure-cookie).
std::string login_cookie(const std::string& id, long max_age_s, bool secure);
// Set-Cookie that removes the login cookie.
std::string logout_cookie(bool secure);

// Decodes %XX and '+'; nullopt for a malformed escape.
std::optional<std::string> url_decode(std::string_view text);
// A form body; a malformed field makes the whole form nullopt. Later
// duplicates are ignored (the first value counts).
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);
// For a path segment (session names are [A-Za-z0-9_.-], so mostly unchanged).
std::string url_encode(std::string_view text);

// The one escaper the audit report uses too.
using deskbox::html_escape;

}  // namespace deskbox::console
