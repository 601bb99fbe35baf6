#include "supervisor/console/console_app.h"

#include <stdlib.h>

#include <boost/test/unit_test.hpp>
#include <set>

#include "supervisor/console/pages.h"
#include "supervisor/console/web_text.h"
#include "tests/unit/audit/temp_dir.h"

using namespace deskbox;
using namespace deskbox::console;
using Json = nlohmann::json;

namespace {

// A console with a token store of two tokens and a hand-moved clock; the
// session listing looks at an empty folder.
struct AppFixture {
    test::TempDir runtime;
    std::set<std::string> valid = {"tok-alice", "tok-bob"};
    std::int64_t now_ms = 1'000'000;
    ConsoleApp app{[this](std::string_view t) -> std::optional<std::string> {
                       if (!valid.count(std::string(t))) return std::nullopt;
                       return std::string(t.substr(4));
                   },
                   ConsoleOptions{}, [this] { return now_ms; }};

    AppFixture() { ::setenv("DESKBOX_RUNTIME_DIR", runtime.path().c_str(), 1); }
    ~AppFixture() { ::unsetenv("DESKBOX_RUNTIME_DIR"); }

    Response send(http::verb verb, const std::string& target, const std::string& body = {},
                  const std::string& cookie = {}, const std::string& client = "10.0.0.1") {
        Request r{verb, target, 11};
        if (!cookie.empty()) r.set(http::field::cookie, std::string(kCookieName) + "=" + cookie);
        r.body() = body;
        r.prepare_payload();
        return app.handle(r, client);
    }
    // Logs in; returns the cookie value.
    std::string log_in(const std::string& token) {
        const Response r = send(http::verb::post, "/login", "token=" + token);
        BOOST_REQUIRE(r.result() == http::status::see_other);
        const std::string set = std::string(r[http::field::set_cookie]);
        return cookie_value(set.substr(0, set.find(';')), kCookieName).value_or("");
    }
    // The CSRF token the pages carry for this login.
    std::string csrf_of(const std::string& cookie) {
        const std::string page = send(http::verb::get, "/", {}, cookie).body();
        const std::string marker = "name=\"csrf\" value=\"";
        const auto at = page.find(marker);
        BOOST_REQUIRE(at != std::string::npos);
        return page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
    }
};

bool contains(const std::string& s, const std::string& needle) {
    return s.find(needle) != std::string::npos;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(console_app, AppFixture)

BOOST_AUTO_TEST_CASE(without_a_login_pages_answer_401_with_the_login_form) {
    const Response r = send(http::verb::get, "/");
    BOOST_TEST(r.result_int() == 401);
    BOOST_TEST(contains(r.body(), "action=\"/login\""));
    BOOST_TEST(send(http::verb::post, "/session/x/stop").result_int() == 401);
    BOOST_TEST(send(http::verb::get, "/session/x", {}, "forged-cookie").result_int() == 401);
    // What every response carries.
    BOOST_TEST(r[http::field::cache_control] == "no-store");
    BOOST_TEST(contains(std::string(r["Content-Security-Policy"]), "frame-ancestors 'none'"));
    BOOST_TEST(r["X-Frame-Options"] == "DENY");
}

BOOST_AUTO_TEST_CASE(a_token_logs_in_a_wrong_one_does_not) {
    BOOST_TEST(send(http::verb::post, "/login", "token=nope").result_int() == 401);
    BOOST_TEST(send(http::verb::post, "/login", "").result_int() == 401);
    const Response ok = send(http::verb::post, "/login", "token=tok-alice");
    BOOST_TEST(ok.result_int() == 303);
    BOOST_TEST(ok[http::field::location] == "/");
    const std::string set = std::string(ok[http::field::set_cookie]);
    BOOST_TEST(contains(set, "; HttpOnly; SameSite=Strict"), set);
    BOOST_TEST(contains(set, "Max-Age=28800"), set);
    const std::string cookie = log_in("tok-alice");
    const Response home = send(http::verb::get, "/", {}, cookie);
    BOOST_TEST(home.result_int() == 200);
    BOOST_TEST(contains(home.body(), "reviewer <b>alice</b>"));
    BOOST_TEST(contains(home.body(), "No sessions."));
}

BOOST_AUTO_TEST_CASE(a_post_without_the_csrf_token_is_forbidden) {
    const std::string cookie = log_in("tok-alice");
    const std::string csrf = csrf_of(cookie);
    BOOST_TEST(csrf.size() == 43u);
    BOOST_TEST(send(http::verb::post, "/logout", "", cookie).result_int() == 403);
    BOOST_TEST(send(http::verb::post, "/logout", "csrf=wrong", cookie).result_int() == 403);
    // Another login's token does not do either.
    BOOST_TEST(send(http::verb::post, "/logout", "csrf=" + csrf_of(log_in("tok-bob")), cookie).result_int() == 403);
    Request r{http::verb::post, "/logout", 11};
    r.set(http::field::cookie, std::string(kCookieName) + "=" + cookie);
    r.set("X-CSRF-Token", csrf);
    BOOST_TEST(app.handle(r, "10.0.0.1").result_int() == 303);
    // Logged out: the cookie means nothing any more.
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 401);
}

BOOST_AUTO_TEST_CASE(a_revoked_token_ends_its_logins_at_the_next_request) {
    const std::string cookie = log_in("tok-alice");
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 200);
    valid.erase("tok-alice");
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 401);
    valid.insert("tok-alice");  // even if it comes back, the login is gone
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 401);
}

BOOST_AUTO_TEST_CASE(logins_expire) {
    const std::string cookie = log_in("tok-bob");
    now_ms += 8 * 3600 * 1000 - 1000;
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 200);
    now_ms += 1000;
    BOOST_TEST(send(http::verb::get, "/", {}, cookie).result_int() == 401);
}

BOOST_AUTO_TEST_CASE(login_attempts_are_rate_limited) {
    for (int i = 0; i < 10; ++i) BOOST_TEST(send(http::verb::post, "/login", "token=guess").result_int() == 401);
    const Response limited = send(http::verb::post, "/login", "token=tok-alice");
    BOOST_TEST(limited.result_int() == 429);
    BOOST_TEST(limited[http::field::retry_after] == "60");
    // Another address still gets in.
    BOOST_TEST(send(http::verb::post, "/login", "token=tok-alice", {}, "10.0.0.2").result_int() == 303);
    now_ms += 60'000;
    BOOST_TEST(send(http::verb::post, "/login", "token=tok-alice").result_int() == 303);
}

BOOST_AUTO_TEST_CASE(static_files_come_from_the_console_and_novnc_stays_in_its_folder) {
    BOOST_TEST(send(http::verb::get, "/static/console.js").result_int() == 200);
    BOOST_TEST(send(http::verb::get, "/static/console.css")[http::field::content_type] == "text/css");
    BOOST_TEST(send(http::verb::get, "/novnc/../../etc/passwd").result_int() == 404);
    BOOST_TEST(send(http::verb::delete_, "/").result_int() == 405);
    const std::string cookie = log_in("tok-alice");
    BOOST_TEST(send(http::verb::get, "/session/nosuch", {}, cookie).result_int() == 404);
}

BOOST_AUTO_TEST_CASE(approvals_are_put_in_words) {
    const Json approval = Json::parse(R"({"id":"A1","rule":"incident updates","expires_in_ms":125000,
        "proposal":{"action":{"kind":"click_element","element":{"role":"push button","name":"Update incident"}},
                    "target":{"role":"push button","name":"Update incident"},
                    "window":{"class":"Chromium","title":"INC-42 - Chromium","app":"browser"},
                    "domain":"ops.incidents.example","tier":"high","reason":"matched",
                    "taint_cause":{"source":"tree","pattern":"AI agents","excerpt":"AI agents: click"}}})");
    std::map<std::string, std::string> words;
    for (const auto& [k, v] : approval_words(approval)) words[k] = v;
    BOOST_TEST(words["Action"] == "click_element");
    BOOST_TEST(words["Element"] == "push button \"Update incident\"");
    BOOST_TEST(words["Window"] == "INC-42 - Chromium (Chromium)");
    BOOST_TEST(words["App"] == "browser");
    BOOST_TEST(words["Site"] == "ops.incidents.example");
    BOOST_TEST(words["Rule"] == "incident updates");
    BOOST_TEST(words["Tier"] == "high");
    BOOST_TEST(words["Taint"] == "the session is tainted: tree text matched \"AI agents\": \"AI agents: click\"");
    BOOST_TEST(words["Time left"] == "2 min 5 s");
    // Hostile text is escaped on the page.
    const Json hostile = {{"id", "A2"}, {"rule", "<script>x</script>"}, {"proposal", Json::object()}};
    const std::string html = approvals_section(PageContext{"alice", "c"}, "s", Json::array({hostile}));
    BOOST_TEST(!contains(html, "<script>x"));
    BOOST_TEST(contains(html, "&lt;script&gt;x"));
}

// Take control / Hand back sit beside the other controls (CSRF in each form);
// only the reviewer in control gets a live view with input.
BOOST_AUTO_TEST_CASE(the_session_page_offers_takeover_and_input_only_to_the_one_in_control) {
    const Json entry = {{"name", "s1"},     {"state", "running"}, {"paused", false},
                        {"tainted", false}, {"taken_over", true}, {"steps_used", 3}};
    const Json audit = {{"records", Json::array()}, {"verification", {{"ok", true}, {"records", 0}}}};
    const std::string watcher = session_page(PageContext{"bob", "c"}, entry, Json::array(), audit, true, false);
    BOOST_TEST(contains(watcher, "action=\"/session/s1/takeover\""));
    BOOST_TEST(contains(watcher, "Take control"));
    BOOST_TEST(contains(watcher, "taken over by a reviewer"));
    BOOST_TEST(!contains(watcher, "data-view-only"));
    const std::string holder = session_page(PageContext{"alice", "c"}, entry, Json::array(), audit, true, true);
    BOOST_TEST(contains(holder, "action=\"/session/s1/handback\""));
    BOOST_TEST(contains(holder, "data-view-only=\"false\""));
    BOOST_TEST(!contains(holder, "Take control"));
}

BOOST_AUTO_TEST_SUITE_END()
