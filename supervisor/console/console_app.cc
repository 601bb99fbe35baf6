#include "supervisor/console/console_app.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/console/assets.h"
#include "supervisor/console/pages.h"
#include "supervisor/console/review_link.h"
#include "supervisor/console/web_text.h"
#include "supervisor/session/list_format.h"

namespace deskbox::console {

std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Response make_response(const Request& request, http::status status, std::string body, std::string_view content_type) {
    Response r{status, request.version()};
    r.set(http::field::server, "deskbox-console");
    r.set(http::field::content_type, boost::beast::string_view(content_type.data(), content_type.size()));
    r.set(http::field::cache_control, "no-store");
    // Only our own files; no framing (clickjacking an Approve button), no referrers.
    r.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self'; frame-ancestors 'none'; "
          "form-action 'self'; base-uri 'none'");
    r.set("X-Frame-Options", "DENY");
    r.set("X-Content-Type-Options", "nosniff");
    r.set("Referrer-Policy", "no-referrer");
    r.keep_alive(request.keep_alive());
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

Response redirect(const Request& request, const std::string& location) {
    Response r = make_response(request, http::status::see_other, "");
    r.set(http::field::location, location);
    return r;
}

namespace {

// The console under systemd is in deskbox-review only, so status.json
// (root:deskbox) may be closed to it: the gate's part comes from review.sock.
void fill_from_review_status(Json& entry, const std::filesystem::path& dir, const std::string& reviewer) {
    try {
        const Json reply = review_call(dir, {{"type", "status"}}, reviewer);
        if (!reply.value("ok", false) || !reply["status"].is_object()) return;
        const Json& g = reply["status"];
        entry["state"] = g.value("stopped", false) ? "stopping" : "running";
        entry["problem"] = nullptr;
        for (const char* key :
             {"pending_approvals", "tainted", "paused", "taken_over", "steps_used", "steps_limit", "taint_cause"})
            if (g.contains(key)) entry[key] = g[key];
    } catch (const Error&) {
        // Left as the listing says ("no access").
    }
}

}  // namespace

ConsoleApp::ConsoleApp(Authenticator authenticate, ConsoleOptions options, WallClock clock)
    : authenticate_(std::move(authenticate)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      logins_(options_.login_lifetime),
      login_limiter_(options_.login_limits) {}

std::optional<Login> ConsoleApp::current_login(const Request& request) {
    const auto header = request.find(http::field::cookie);
    if (header == request.end()) return std::nullopt;
    const auto id = cookie_value(std::string_view(header->value().data(), header->value().size()), kCookieName);
    if (!id || id->empty()) return std::nullopt;
    auto login = logins_.find(*id, clock_() / 1000);
    if (!login) return std::nullopt;
    // The token may have been revoked since: ask the store again, every time.
    const auto name = authenticate_(login->token);
    if (!name || *name != login->reviewer) {
        logins_.remove(login->id);
        return std::nullopt;
    }
    return login;
}

Response ConsoleApp::login(const Request& request, const std::string& client) {
    const std::int64_t now = clock_();
    if (!login_limiter_.allow(client, now)) {
        Response r = make_response(request, http::status::too_many_requests,
                                   login_page("Too many login attempts; try again in a minute."));
        r.set(http::field::retry_after, std::to_string((login_limiter_.retry_after_ms(client, now) + 999) / 1000));
        return r;
    }
    const auto form = parse_form(request.body());
    const std::string token = form && form->count("token") ? form->at("token") : "";
    const auto name = token.empty() ? std::nullopt : authenticate_(token);
    if (!name)
        return make_response(request, http::status::unauthorized,
                             login_page("That token is not valid (or was revoked)."));
    const Login l = logins_.create(*name, token, now / 1000);
    Response r = redirect(request, "/");
    r.set(http::field::set_cookie,
          login_cookie(l.id, static_cast<long>(options_.login_lifetime.count()), options_.secure_cookie));
    return r;
}

Response ConsoleApp::novnc_file(const Request& request, const std::string& path) {
    // Only plain relative names below the noVNC folder.
    if (path.empty() || path.find("..") != std::string::npos || path.front() == '/')
        return make_response(request, http::status::not_found, "not found\n", "text/plain");
    std::ifstream in(options_.novnc_dir / path, std::ios::binary);
    if (!in) return make_response(request, http::status::not_found, "not found\n", "text/plain");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string_view type = "application/octet-stream";
    if (path.ends_with(".js"))
        type = "text/javascript";
    else if (path.ends_with(".css"))
        type = "text/css";
    else if (path.ends_with(".svg"))
        type = "image/svg+xml";
    else if (path.ends_with(".png"))
        type = "image/png";
    return make_response(request, http::status::ok, ss.str(), type);
}

Response ConsoleApp::handle(const Request& request, const std::string& client) {
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
    const bool post = request.method() == http::verb::post;
    if (!get && !post) return make_response(request, http::status::method_not_allowed, "GET or POST\n", "text/plain");

    if (get && path == "/static/console.css")
        return make_response(request, http::status::ok, std::string(kConsoleCss), "text/css");
    if (get && path == "/static/console.js")
        return make_response(request, http::status::ok, std::string(kConsoleJs), "text/javascript");
    if (get && path == "/static/live.js")
        return make_response(request, http::status::ok, std::string(kLiveViewJs), "text/javascript");
    if (get && path.rfind("/novnc/", 0) == 0) return novnc_file(request, path.substr(7));
    if (get && path == "/login") return make_response(request, http::status::ok, login_page(""));
    if (post && path == "/login") return login(request, client);

    const auto who = current_login(request);
    if (!who) {
        if (get) return make_response(request, http::status::unauthorized, login_page(""));
        return make_response(request, http::status::unauthorized, "log in first\n", "text/plain");
    }
    std::map<std::string, std::string> form;
    if (post) {
        auto parsed = parse_form(request.body());
        if (!parsed) return make_response(request, http::status::bad_request, "malformed form\n", "text/plain");
        form = std::move(*parsed);
        std::string csrf = form.count("csrf") ? form["csrf"] : "";
        if (const auto h = request.find("X-CSRF-Token"); h != request.end()) csrf = std::string(h->value());
        if (!equal_secrets(csrf, who->csrf))
            return make_response(request, http::status::forbidden,
                                 "the form's CSRF token is missing or wrong: reload the page\n", "text/plain");
    }
    const PageContext page{who->reviewer, who->csrf};
    if (post && path == "/logout") {
        logins_.remove(who->id);
        Response r = redirect(request, "/login");
        r.set(http::field::set_cookie, logout_cookie(options_.secure_cookie));
        return r;
    }
    if (get && path == "/") {
        const std::int64_t now = clock_() / 1000;
        std::vector<Json> entries;
        for (const ListedSession& s : list_sessions()) {
            Json e = list_entry(s, now);
            if (s.readable && s.status.contains("gate") && s.status["gate"].contains("taint_cause"))
                e["taint_cause"] = s.status["gate"]["taint_cause"];
            if (!s.readable && s.lock_held) fill_from_review_status(e, s.dir, who->reviewer);
            entries.push_back(std::move(e));
        }
        return make_response(request, http::status::ok, sessions_page(page, entries));
    }
    if (path.rfind("/session/", 0) == 0) {
        const std::string rest_all = path.substr(9);
        const auto slash = rest_all.find('/');
        const auto name = url_decode(rest_all.substr(0, slash));
        const std::string rest = slash == std::string::npos ? "" : rest_all.substr(slash + 1);
        if (!name) return make_response(request, http::status::bad_request, "malformed session name\n", "text/plain");
        if (get) return session_get(request, *who, *name, rest);
        return session_post(request, *who, *name, rest, form);
    }
    return make_response(request, http::status::not_found, message_page(page, "Not found", path, "/"));
}

}  // namespace deskbox::console
