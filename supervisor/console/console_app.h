// The console's requests, one in, one response out (no sockets here: the
// server in console_server.h feeds it). Who may do what:
//   - /login (GET form, POST token) and /static/*, /novnc/* are open;
//   - everything else needs a login cookie whose token still authenticates
//     (the token store is asked on every request: revoked = 401 at once);
//   - every POST needs the login's CSRF token (form field "csrf" or header
//     X-CSRF-Token): 403 without it;
//   - POST /login is rate limited per client address and overall: 429.
// Sessions are reached only through review.sock (review_link.h).
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "supervisor/console/login_sessions.h"
#include "supervisor/console/rate_limiter.h"

namespace deskbox::console {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A token → the reviewer's name (TokenStore::authenticate), nullopt when unknown or revoked.
using Authenticator = std::function<std::optional<std::string>(std::string_view token)>;
// Milliseconds since the epoch (a fake in unit tests).
using WallClock = std::function<std::int64_t()>;
std::int64_t wall_clock_ms();

struct ConsoleOptions {
    bool secure_cookie = false;  // served through TLS (a reverse proxy): cookies get Secure
    std::chrono::seconds login_lifetime = std::chrono::hours(8);
    RateLimits login_limits;
    std::filesystem::path novnc_dir = "/usr/share/novnc";
};

class ConsoleApp {
public:
    ConsoleApp(Authenticator authenticate, ConsoleOptions options, WallClock clock = wall_clock_ms);

    // `client`: the peer's address ("unix" on a Unix socket), for the rate limit.
    Response handle(const Request& request, const std::string& client);

    // A WebSocket upgrade to /session/NAME/vnc: the session's vnc.sock when
    // the request is logged in and the session has one; otherwise the
    // response to send instead.
    // While the logged-in reviewer has taken control through the console, the
    // target is the takeover's socket (input on) with its one-time password,
    // for that reviewer's WebSockets only; everyone else keeps the view.
    struct VncTarget {
        std::filesystem::path socket;    // vnc.sock, or takeover.sock
        std::filesystem::path password;  // vnc.passwd beside it (absent: no password)
        std::string reviewer;
        std::optional<std::string> takeover_password;  // instead of the file: a takeover's
    };
    std::variant<VncTarget, Response> vnc_target(const Request& request);

    const LoginSessions& logins() const { return logins_; }

    // A takeover started here (POST .../takeover): whose it is and how to reach it.
    struct Control {
        std::string reviewer;
        std::filesystem::path socket;
        std::string password;
    };

private:
    std::optional<Login> current_login(const Request& request);
    Response login(const Request& request, const std::string& client);
    Response session_get(const Request& request, const Login& who, const std::string& name, const std::string& rest);
    Response session_post(const Request& request, const Login& who, const std::string& name, const std::string& rest,
                          const std::map<std::string, std::string>& form);
    Response novnc_file(const Request& request, const std::string& path);
    // The takeover `reviewer` holds on the session in `dir`, while its socket is there.
    std::optional<Control> control_of(const std::filesystem::path& dir, const std::string& reviewer);

    Authenticator authenticate_;
    ConsoleOptions options_;
    WallClock clock_;
    LoginSessions logins_;
    RateLimiter login_limiter_;
    std::mutex controls_mutex_;                          // connections are served on threads of their own
    std::map<std::filesystem::path, Control> controls_;  // by session dir
};

// Responses with the console's headers (no caching, no framing, a strict CSP).
Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type = "text/html; charset=utf-8");
Response redirect(const Request& request, const std::string& location);

}  // namespace deskbox::console
