// The console's pages and actions of one session (/session/NAME/...), all
// through that session's review.sock.
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/console/console_app.h"
#include "supervisor/console/pages.h"
#include "supervisor/console/review_link.h"
#include "supervisor/console/web_text.h"
#include "supervisor/control/base64.h"
#include "supervisor/session/list_format.h"

namespace deskbox::console {

namespace {

std::string base_of(const std::string& name) {
    return "/session/" + url_encode(name);
}

// The reply's payload, or an Error with the session's message.
Json checked(const Json& reply, const char* key) {
    if (const std::string e = review_error(reply); !e.empty()) throw Error(e);
    return reply.contains(key) ? reply[key] : Json();
}

std::string verification_text(const Json& v) {
    std::string out = v.value("passed", false) ? "PASSED\n" : "FAILED\n";
    for (const Json& r : v.value("results", Json::array()))
        out += std::string(r.value("passed", false) ? "pass  " : "FAIL  ") + r.value("check", "") + ": " +
               r.value("detail", "") + "\n";
    return out;
}

}  // namespace

Response ConsoleApp::session_get(const Request& request, const Login& who, const std::string& name,
                                 const std::string& rest) {
    const PageContext page{who.reviewer, who.csrf};
    const auto session = find_listed_session(name);
    if (!session)
        return make_response(request, http::status::not_found,
                             message_page(page, "No such session", "There is no session called " + name + ".", "/"));
    try {
        if (rest.ends_with(".png") && rest.rfind("approval/", 0) == 0) {
            const std::string id = rest.substr(9, rest.size() - 9 - 4);
            const Json o = checked(review_call(session->dir, {{"type", "observation"}, {"approval", id}}, who.reviewer),
                                   "observation");
            std::string png;
            if (!base64_decode(o.value("png_base64", ""), png) || png.empty())
                return make_response(request, http::status::not_found,
                                     "no screenshot: " + o.value("error", std::string("none was kept")) + "\n",
                                     "text/plain");
            return make_response(request, http::status::ok, std::move(png), "image/png");
        }
        if (rest.rfind("kept/", 0) == 0) {
            // A timeline thumbnail: the session checks the name's shape and reads it.
            const Json shot = checked(
                review_call(session->dir, {{"type", "kept_screenshot"}, {"name", rest.substr(5)}}, who.reviewer),
                "screenshot");
            std::string bytes;
            if (!base64_decode(shot.value("base64", ""), bytes) || bytes.empty())
                return make_response(request, http::status::not_found, "no such screenshot\n", "text/plain");
            const std::string mime = shot.value("mime", "") == "image/jpeg" ? "image/jpeg" : "image/png";
            return make_response(request, http::status::ok, std::move(bytes), mime);
        }
        const Json approvals = checked(review_call(session->dir, {{"type", "approvals"}}, who.reviewer), "approvals");
        const Json audit =
            checked(review_call(session->dir, {{"type", "audit"}, {"last", 300}}, who.reviewer), "audit");
        if (rest == "parts")
            return make_response(
                request, http::status::ok,
                "<div>" + approvals_section(page, name, approvals) + timeline_section(name, audit) + "</div>");
        if (!rest.empty())
            return make_response(request, http::status::not_found,
                                 message_page(page, "Not found", rest, base_of(name)));
        const Json entry = list_entry(*session, clock_() / 1000);
        const bool in_control = control_of(session->dir, who.reviewer).has_value();
        std::string html = session_page(page, entry, approvals, audit,
                                        std::filesystem::exists(session->dir / "vnc.sock") || in_control, in_control);
        return make_response(request, http::status::ok, std::move(html));
    } catch (const Error& e) {
        return make_response(request, http::status::bad_gateway,
                             message_page(page, "The session did not answer", e.what(), "/"));
    }
}

Response ConsoleApp::session_post(const Request& request, const Login& who, const std::string& name,
                                  const std::string& rest, const std::map<std::string, std::string>& form) {
    const PageContext page{who.reviewer, who.csrf};
    const std::string back = base_of(name);
    const auto session = find_listed_session(name);
    if (!session)
        return make_response(request, http::status::not_found,
                             message_page(page, "No such session", "There is no session called " + name + ".", "/"));
    auto field = [&](const char* key) { return form.count(key) ? form.at(key) : std::string(); };
    Json call;
    if (rest == "decide") {
        const std::string decision = field("decision");
        if (decision != "approve" && decision != "deny")
            return make_response(request, http::status::bad_request, "decision: expected approve or deny\n",
                                 "text/plain");
        call = {{"type", decision}, {"approval", field("approval")}, {"note", field("note")}};
    } else if (rest == "pause" || rest == "resume" || rest == "stop" || rest == "verify" || rest == "takeover" ||
               rest == "handback") {
        call = {{"type", rest}};
        if (rest != "verify") call["note"] = field("note");
    } else {
        return make_response(request, http::status::not_found, message_page(page, "Not found", rest, back));
    }
    try {
        const Json reply = review_call(session->dir, call, who.reviewer);
        if (const std::string e = review_error(reply); !e.empty())
            return make_response(request, http::status::conflict, message_page(page, "The session refused", e, back));
        if (rest == "takeover" || rest == "handback") {
            // The one-time password stays in the console: the reviewer's live view uses it (vnc_target).
            const std::lock_guard lock(controls_mutex_);
            if (rest == "takeover") {
                const Json t = reply.value("takeover", Json::object());
                controls_[session->dir] = Control{who.reviewer, t.value("socket", ""), t.value("password", "")};
            } else {
                controls_.erase(session->dir);
            }
        }
        if (rest == "verify")
            return make_response(request, http::status::ok,
                                 message_page(page, "Verification of " + name,
                                              verification_text(reply.value("verification", Json::object())), back));
        return redirect(request, rest == "stop" ? "/" : back);
    } catch (const Error& e) {
        return make_response(request, http::status::bad_gateway,
                             message_page(page, "The session did not answer", e.what(), back));
    }
}

std::variant<ConsoleApp::VncTarget, Response> ConsoleApp::vnc_target(const Request& request) {
    const auto who = current_login(request);
    if (!who) return make_response(request, http::status::unauthorized, "log in first\n", "text/plain");
    const std::string target(request.target());
    const std::string prefix = "/session/";
    if (target.rfind(prefix, 0) != 0 || !target.ends_with("/vnc"))
        return make_response(request, http::status::not_found, "not found\n", "text/plain");
    const auto name = url_decode(target.substr(prefix.size(), target.size() - prefix.size() - 4));
    const auto session = name ? find_listed_session(*name) : std::nullopt;
    if (!session)
        return make_response(request, http::status::not_found, "this session has no live view\n", "text/plain");
    if (auto control = control_of(session->dir, who->reviewer))
        return VncTarget{control->socket, {}, who->reviewer, control->password};
    if (!std::filesystem::exists(session->dir / "vnc.sock"))
        return make_response(request, http::status::not_found, "this session has no live view\n", "text/plain");
    return VncTarget{session->dir / "vnc.sock", session->dir / "vnc.passwd", who->reviewer, std::nullopt};
}

std::optional<ConsoleApp::Control> ConsoleApp::control_of(const std::filesystem::path& dir,
                                                          const std::string& reviewer) {
    const std::lock_guard lock(controls_mutex_);
    const auto it = controls_.find(dir);
    if (it == controls_.end()) return std::nullopt;
    // Handed back elsewhere (the CLI, another login) or stopped: the socket is gone with it.
    if (!std::filesystem::exists(it->second.socket)) {
        controls_.erase(it);
        return std::nullopt;
    }
    if (it->second.reviewer != reviewer) return std::nullopt;
    return it->second;
}

}  // namespace deskbox::console
