// Credentials the model never sees and host-owned setup, in real sessions:
// Chromium through the session's egress proxy on a small sign-in site
// (login_site.h), LibreOffice Calc opening a spreadsheet.
//
//   - setup `login` signs in with a secret from env: before the agent socket
//     opens; the agent then reads the page behind the sign-in;
//   - type_secret (and {{secret:NAME}} in type text) is refused naming the
//     failed condition: a non-password field, another allowed domain, the
//     policy; and works into an allowed password field;
//   - the secret's bytes appear nowhere: audit.jsonl, replies, trees, status.json;
//     the secret typed as ordinary text is redacted and flagged;
//   - setup `open` a spreadsheet in Calc + `wait_for` its window; a wait_for
//     with a wrong title ends the start naming the manifest line.
#define BOOST_TEST_MODULE deskbox credentials and setup
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "supervisor/control/agent_client.h"
#include "tests/integration/login_site.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

constexpr int kPageTimeoutMs = 60'000;
const std::string kSecret = "Tr1cky-S3cret-9071";

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path write_policy(const TestDirs& dirs) {
    const auto path = dirs.root() / "credentials-policy.yaml";
    std::ofstream(path) << "version: 1\n"
                           "default: allow\n"
                           "tiers: {low: allow, medium: allow, high: deny}\n"
                           "admission: {domains: [login.example, other.example]}\n"
                           "rules:\n"
                           "  - {name: no admin secrets, when: {action: [type_secret], target: {name: Admin password}},"
                           " decision: deny}\n";
    return path;
}

std::string login_manifest(const std::string& name, const LoginSite& site, const std::filesystem::path& policy) {
    const std::string port = std::to_string(site.port());
    return "session: {name: " + name +
           "}\n"
           "sandbox: {memory: 2G, pids: 1024}\n"
           "network: {mode: allowlist, allow: [login.example, other.example], ports: [" +
           port +
           "],\n"
           "          resolve: {login.example: '127.0.0.1:" +
           port + "', other.example: '127.0.0.1:" + port +
           "'}}\n"
           "apps:\n"
           "  - name: browser\n"
           "    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,\n"
           "           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile,\n"
           "           'http://login.example:" +
           port +
           "/login']\n"
           "    ready: {title: 'Sign in', timeout: 180s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n"
           "secrets:\n"
           "  ci_password: {from: 'env:TEST_CI_PASSWORD', domains: [login.example]}\n"
           "setup:\n"
           "  - login:\n"
           "      user: {role: entry, name: User, value: alice}\n"
           "      password: {role: password text, name: Password, secret: ci_password}\n"
           "      submit: {role: push button, name: Sign in}\n"
           "      wait_for: {title: Runs, timeout: 60s}\n";
}

// Until `needle` is in the tree; a settled screenshot between looks waits for the screen.
std::string wait_for_tree(AgentClient& agent, const std::string& needle, std::string& replies) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPageTimeoutMs);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        const Json tree = agent.call({{"action", "tree"}});
        last = tree.dump();
        replies += last;
        if (tree.value("ok", false) && contains(last, needle)) return last;
        replies += agent.call({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}}).dump();
    }
    BOOST_FAIL("'" + needle + "' did not appear in the tree within " + std::to_string(kPageTimeoutMs) + " ms: " + last);
    return {};
}

Json call(AgentClient& agent, const Json& request, std::string& replies) {
    const Json reply = agent.call(request);
    replies += reply.dump();
    return reply;
}

// The page takes the focus when it handles the click, after the click's own
// round trip: a careful agent looks (hit test) until the field says it has the
// focus before it types; so does this (bounded).
void wait_until_focused(AgentClient& agent, const Json& click_reply, std::string& replies) {
    const Json centre = click_reply.value("/result/data/element/center_scaled"_json_pointer, Json());
    BOOST_TEST_REQUIRE(centre.is_object(), click_reply.dump());
    for (int attempt = 0; attempt < 50; ++attempt) {
        const Json hit = agent.call({{"action", "hit_test"}, {"x", centre["x"]}, {"y", centre["y"]}});
        replies += hit.dump();
        if (hit.dump().find("\"focused\"") != std::string::npos) return;
        agent.call({{"action", "wait"}, {"duration", 0.1}});
    }
    BOOST_FAIL("the clicked field never took the focus");
}

std::string rule_of(const Json& reply) {
    return reply.dump();
}

}  // namespace

BOOST_AUTO_TEST_CASE(setup_login_types_the_secret_and_type_secret_refuses_with_the_failed_condition) {
    if (!require_root()) return;
    LoginSite site("alice", kSecret);
    TestDirs dirs;
    const std::string name = "cred-login";
    SessionProcess session(dirs, dirs.manifest(name, login_manifest(name, site, write_policy(dirs))),
                           {"TEST_CI_PASSWORD=" + kSecret});
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    // The sign-in happened before the agent could connect.
    BOOST_TEST(site.good_logins() == 1);
    BOOST_TEST(site.bad_logins() == 0);
    const std::string status_text = slurp(dirs.runtime() / name / "status.json");
    BOOST_TEST(contains(status_text, "\"running\""), status_text);

    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    std::string replies;
    const std::string tree = wait_for_tree(agent, "Run 1234 passed", replies);

    // Not a password field: refused, naming the condition.
    Json r = call(agent, {{"action", "type_secret"}, {"secret", "ci_password"}, {"role", "entry"}, {"name", "Note"}},
                  replies);
    BOOST_TEST(!r.value("ok", true), r.dump());
    BOOST_TEST(contains(rule_of(r), "secret:target"), r.dump());
    // The policy denies this field (the conditions hold).
    r = call(
        agent,
        {{"action", "type_secret"}, {"secret", "ci_password"}, {"role", "password text"}, {"name", "Admin password"}},
        replies);
    BOOST_TEST(!r.value("ok", true), r.dump());
    BOOST_TEST(contains(rule_of(r), "no admin secrets"), r.dump());
    // Allowed: a password field on the secret's domain, asked for by placeholder.
    r = call(agent,
             {{"action", "type_into"},
              {"role", "password text"},
              {"name", "Deploy password"},
              {"text", "{{secret:ci_password}}"}},
             replies);
    BOOST_TEST(r.value("ok", false), r.dump());

    // Another allowed domain: refused by place, for type_secret and the placeholder alike.
    r = call(agent, {{"action", "click_element"}, {"role", "link"}, {"name", "Other site"}}, replies);
    BOOST_TEST_REQUIRE(r.value("ok", false), r.dump());
    wait_for_tree(agent, "Other sign in", replies);
    r = call(agent,
             {{"action", "type_secret"}, {"secret", "ci_password"}, {"role", "password text"}, {"name", "Password"}},
             replies);
    BOOST_TEST(!r.value("ok", true), r.dump());
    BOOST_TEST(contains(rule_of(r), "secret:place"), r.dump());
    BOOST_TEST(contains(rule_of(r), "other.example"), r.dump());
    r = call(agent, {{"action", "click_element"}, {"role", "password text"}, {"name", "Password"}}, replies);
    BOOST_TEST_REQUIRE(r.value("ok", false), r.dump());
    wait_until_focused(agent, r, replies);
    r = call(agent, {{"action", "type"}, {"text", "{{secret:ci_password}}"}}, replies);
    BOOST_TEST(!r.value("ok", true), r.dump());
    BOOST_TEST(contains(rule_of(r), "secret:place"), r.dump());

    // Last (no tree is read after it: the field now shows the text): the secret typed
    // as ordinary text is typed (the policy allows it), redacted and flagged in the log.
    r = call(agent, {{"action", "type_into"}, {"role", "entry"}, {"name", "Search"}, {"text", kSecret}}, replies);
    BOOST_TEST(r.value("ok", false), r.dump());

    const std::string status_running = slurp(dirs.runtime() / name / "status.json");
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());

    const std::string audit = slurp(dirs.state() / name / "audit.jsonl");
    BOOST_TEST(!audit.empty());
    for (const auto& [what, text] : {std::pair<std::string, std::string>{"audit.jsonl", audit},
                                     {"replies", replies},
                                     {"tree", tree},
                                     {"status.json", status_text + status_running},
                                     {"deskbox output", session.output()}})
        BOOST_TEST(!contains(text, kSecret), what + " holds the secret");
    BOOST_TEST(contains(audit, R"("kind":"login","line":)"), audit);
    BOOST_TEST(contains(audit, R"("by":"manifest")"), audit);
    BOOST_TEST(contains(audit, R"("secret":"ci_password")"), audit);
    BOOST_TEST(contains(audit, R"("secret_leak":["ci_password"])"), audit);
    const auto [verify_code, verify_out] =
        run_deskbox(dirs, {"audit", "verify", (dirs.state() / name / "audit.jsonl").string()});
    BOOST_TEST(verify_code == 0, verify_out);
}

BOOST_AUTO_TEST_CASE(setup_opens_a_spreadsheet_in_calc_and_a_wrong_wait_ends_the_start_with_its_line) {
    if (!require_root()) return;
    TestDirs dirs;
    // A flat OpenDocument spreadsheet: opens without the import dialog a CSV gets.
    const auto sheet = dirs.root() / "budget.fods";
    std::ofstream(sheet) << R"(<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:body><office:spreadsheet><table:table table:name="Budget">
  <table:table-row><table:table-cell office:value-type="string"><text:p>rent</text:p></table:table-cell>
   <table:table-cell office:value-type="float" office:value="1200"><text:p>1200</text:p></table:table-cell></table:table-row>
 </table:table></office:spreadsheet></office:body></office:document>
)";
    auto manifest = [&](const std::string& name, const std::string& title, const std::string& timeout) {
        return "session: {name: " + name +
               "}\n"
               "sandbox: {memory: 2G, pids: 1024, files: [{from: " +
               sheet.string() +
               ", to: ~/budget.fods}]}\n"
               "apps:\n"
               "  - name: calc\n"
               "    exec: [soffice, --calc, --norestore, --nologo]\n"
               "    ready: {title: 'LibreOffice Calc', timeout: 180s}\n"
               "review: {vnc: {enabled: false}}\n"
               "setup:\n"
               "  - open: {file: ~/budget.fods, app: calc}\n"
               "  - wait_for: {title: '" +
               title + "', timeout: " + timeout + "}\n";
    };
    {
        const std::string name = "setup-calc";
        SessionProcess session(dirs, dirs.manifest(name, manifest(name, "budget.fods", "120s")));
        BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 300'000), session.output());
        session.signal(SIGTERM);
        BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
        const std::string kept = slurp(dirs.state() / name / "audit.jsonl");
        BOOST_TEST(contains(kept, R"("kind":"open","line":9,"ms":)"), kept);
        BOOST_TEST(contains(kept, R"("kind":"wait_for","line":10,"ms":)"), kept);
        BOOST_TEST(!contains(kept, R"("outcome":"failed")"), kept);
    }
    {
        const std::string name = "setup-calc-wrong";
        SessionProcess session(dirs, dirs.manifest(name, manifest(name, "no-such-title", "5s")));
        const int code = session.wait_exit(400'000);
        BOOST_TEST(code != 0, session.output());
        BOOST_TEST(contains(session.output(),
                            "setup[1] wait_for (manifest line 10): no window with title "
                            "'no-such-title' appeared within 5s"),
                   session.output());
        BOOST_TEST(!contains(session.output(), "ready on display"), session.output());
    }
}
