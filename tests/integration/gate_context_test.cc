// The gate's context in real sessions: the window and app come from the X
// server for every app (xterm has no accessibility), with and without a
// window manager; what cannot be read refuses (or waits for a reviewer);
// password text is never written; an approved action whose target went away
// is refused. Real Xvfb, xterm, zenity (GTK), openbox; the agent socket.
#define BOOST_TEST_MODULE deskbox gate context tests
#include <signal.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "supervisor/control/agent_client.h"
#include "tests/integration/gate_context_support.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;
namespace fs = std::filesystem;
using namespace deskbox::test::gate_context;

namespace {

const char* kTerminalPolicy = R"(version: 1
default: deny
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: moving is harmless, when: {action: mouse_move}, tier: low}
  - {name: no terminals, when: {window: {class: "(?i)term"}}, decision: deny}
  - {name: pointer and keyboard, when: {action: [click, type, key]}, tier: medium}
)";

std::string terminal_manifest(const std::string& name, const fs::path& policy, bool window_manager) {
    // With a window manager the newest window gets the focus: the xterm starts
    // once zenity's window exists (xdotool --sync waits for it by X events).
    const std::string xterm =
        "xterm -geometry 40x12+700+10 -title ctx-term -e sh -c "
        "'while read l; do echo \\\"$l\\\" >> /tmp/xterm-got; done'";
    const std::string start =
        window_manager ? "xdotool search --sync --name ctx-entry >/dev/null && exec " + xterm : "exec " + xterm;
    return "session: {name: " + name + ", display: {width: 1024, height: 768" +
           (window_manager ? ", window_manager: [openbox, --sm-disable]" : ", window_manager: none") +
           "}}\n"
           "sandbox: {memory: 1G, pids: 256}\n"
           "apps:\n"
           "  - name: entry\n"
           "    exec: [zenity, --entry, --title, ctx-entry, --text, 'Type here']\n"
           "    ready: {title: ctx-entry, timeout: 60s}\n"
           "  - name: terminal\n"
           "    exec: [sh, -c, \"" +
           start +
           "\"]\n"
           "    ready: {title: ctx-term, timeout: 60s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

// xterm at +700+10, 40x12 cells of the 6x13 "fixed" font: (700..940, 10..166).
constexpr int kTermX = 800, kTermY = 80;

void terminal_rules_hold(bool window_manager) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = window_manager ? "ctx-wm" : "ctx-nowm";
    SessionProcess session(
        dirs, dirs.manifest(name, terminal_manifest(name, write_policy(dirs, kTerminalPolicy), window_manager)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [entry_x, entry_y] = centre_of(dirs, name, "text");

    // A click on the xterm is refused by the window rule (xterm has no accessibility).
    Json click = act(agent, {{"action", "left_click"}, {"coordinate", {kTermX, kTermY}}});
    BOOST_TEST(!click["ok"].get<bool>(), click.dump());
    BOOST_TEST(click.dump().find("no terminals") != std::string::npos, click.dump());

    // Typing where the keys would reach the xterm is refused too.
    if (window_manager) {
        // openbox gave the newest window, the xterm, the focus.
    } else {
        // No window manager: focus is PointerRoot, keys go to the window under the pointer.
        BOOST_TEST_REQUIRE(move_to(agent, kTermX, kTermY)["ok"].get<bool>());
    }
    Json typed = act(agent, {{"action", "type"}, {"text", "echo PWNED\n"}});
    BOOST_TEST(!typed["ok"].get<bool>(), typed.dump());
    BOOST_TEST(typed.dump().find("no terminals") != std::string::npos, typed.dump());

    // Keys that no window would get are an error, not "type done".
    if (!window_manager) {
        BOOST_TEST_REQUIRE(move_to(agent, 1020, 760)["ok"].get<bool>());  // over the bare root window
        Json nowhere = act(agent, {{"action", "type"}, {"text", "lost"}});
        BOOST_TEST(!nowhere["ok"].get<bool>(), nowhere.dump());
        BOOST_TEST(nowhere.dump().find("the keys would go nowhere") != std::string::npos, nowhere.dump());
    }

    // The GTK entry is allowed: click it (the focus moves there), type, submit.
    if (window_manager) {
        Json focus = act(agent, {{"action", "left_click"}, {"coordinate", {entry_x, entry_y}}});
        BOOST_TEST_REQUIRE(focus["ok"].get<bool>(), focus.dump());
    } else {
        BOOST_TEST_REQUIRE(move_to(agent, entry_x, entry_y)["ok"].get<bool>());
    }
    // openbox moves the focus when it handles the click, after the click's own
    // round trip: until then the keys would still reach the xterm and are
    // refused. An agent waits and tries again, as this does (bounded).
    Json ok;
    for (int attempt = 0; attempt < 50; ++attempt) {
        ok = act(agent, {{"action", "type"}, {"text", "gtk-allowed\n"}});
        if (ok["ok"].get<bool>() || !window_manager) break;
        BOOST_TEST_REQUIRE(ok.dump().find("no terminals") != std::string::npos, ok.dump());
        act(agent, {{"action", "wait"}, {"duration", 0.1}});
    }
    BOOST_TEST_REQUIRE(ok["ok"].get<bool>(), ok.dump());
    BOOST_TEST(session.wait_for("[" + name + "] gtk-allowed", 30'000), session.output());

    // Nothing reached the terminal's shell.
    const pid_t xterm = host_pid_of(dirs, name, "xterm");
    BOOST_REQUIRE(xterm > 0);
    BOOST_TEST(!fs::exists("/proc/" + std::to_string(xterm) + "/root/tmp/xterm-got"));

    // The audit log names the window by class, id and app for each decision.
    const std::string audit = audit_of(dirs, name);
    BOOST_TEST(audit.find("\"class\":\"XTerm\"") != std::string::npos);
    BOOST_TEST(audit.find("\"app\":\"terminal\"") != std::string::npos);
    BOOST_TEST(audit.find("\"app\":\"entry\"") != std::string::npos);
    BOOST_TEST(audit.find("echo PWNED") == std::string::npos);  // focus unknown: text not recorded
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

}  // namespace

BOOST_AUTO_TEST_CASE(window_rules_hold_for_an_x_only_app_without_a_window_manager) {
    terminal_rules_hold(false);
}

BOOST_AUTO_TEST_CASE(window_rules_hold_for_an_x_only_app_with_a_window_manager) {
    terminal_rules_hold(true);
}

BOOST_AUTO_TEST_CASE(password_text_is_never_written) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-password";
    const std::string secret = "S3cret-Pw-4711";
    const auto policy = write_policy(dirs, kTypingPolicy);
    SessionProcess session(dirs, dirs.manifest(name, "session: {name: " + name +
                                                         "}\n"
                                                         "sandbox: {memory: 1G, pids: 256}\n"
                                                         "apps:\n"
                                                         "  - name: password\n"
                                                         "    exec: [zenity, --password, --title, ctx-pw]\n"
                                                         "    ready: {title: ctx-pw, timeout: 60s}\n"
                                                         "policy: " +
                                                         policy.string() +
                                                         "\n"
                                                         "review: {vnc: {enabled: false}}\n"));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [x, y] = centre_of(dirs, name, "password text");
    BOOST_TEST_REQUIRE(act(agent, {{"action", "left_click"}, {"coordinate", {x, y}}})["ok"].get<bool>());
    wait_until_focused(agent, x, y);
    Json typed = act(agent, {{"action", "type"}, {"text", secret}});
    BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());
    BOOST_TEST(typed.dump().find(secret) == std::string::npos, typed.dump());
    const auto [tree_code, tree] = run_deskbox(dirs, {"tree", "-s", name, "--format", "json"});
    BOOST_TEST(tree.find(secret) == std::string::npos);

    const std::string audit = audit_of(dirs, name);
    BOOST_TEST(audit.find(secret) == std::string::npos);
    BOOST_TEST(audit.find("[NOT RECORDED: password field]") != std::string::npos, audit);
    BOOST_TEST(audit.find("\"text_length\":" + std::to_string(secret.size())) != std::string::npos);
    const auto [show_code, shown] =
        run_deskbox(dirs, {"audit", "show", (dirs.runtime() / name / "audit.jsonl").string()});
    BOOST_TEST(show_code == 0, shown);
    BOOST_TEST(shown.find(secret) == std::string::npos);
    // The app got it: zenity prints the password on Enter.
    BOOST_TEST_REQUIRE(act(agent, {{"action", "key"}, {"text", "Return"}})["ok"].get<bool>());
    BOOST_TEST(session.wait_for("[" + name + "] " + secret, 30'000), session.output());
    session.wait_exit(60'000);
    BOOST_TEST(audit_of(dirs, name).find(secret) == std::string::npos);
}

namespace {

const char* kTargetPolicy = R"(version: 1
default: deny
%UNREADABLE%
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: confirming, when: {target: {name: "^OK$"}}, tier: high}
  - {name: pointer and keyboard, when: {action: [mouse_move, click, type, key]}, tier: medium}
)";

std::string entry_manifest(const std::string& name, const fs::path& policy) {
    return "session: {name: " + name +
           "}\n"
           "sandbox: {memory: 1G, pids: 256}\n"
           "apps:\n"
           "  - name: entry\n"
           "    exec: [zenity, --entry, --title, ctx-target, --text, 'Type here']\n"
           "    ready: {title: ctx-target, timeout: 60s}\n"
           "  - {name: holder, exec: [sleep, infinity]}\n"  // the session outlives the dialog
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

std::string policy_with(const std::string& unreadable) {
    std::string p = kTargetPolicy;
    p.replace(p.find("%UNREADABLE%"), 12, unreadable);
    return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_target_rule_refuses_when_the_app_does_not_answer) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-stopped";
    SessionProcess session(dirs, dirs.manifest(name, entry_manifest(name, write_policy(dirs, policy_with("")))));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [x, y] = centre_of(dirs, name, "text");
    const pid_t zenity = host_pid_of(dirs, name, "zenity");
    BOOST_REQUIRE(zenity > 0);
    BOOST_REQUIRE(kill(zenity, SIGSTOP) == 0);
    Json click = act(agent, {{"action", "left_click"}, {"coordinate", {x, y}}});
    kill(zenity, SIGCONT);
    BOOST_TEST(!click["ok"].get<bool>(), click.dump());
    BOOST_TEST(click.dump().find("context:unavailable") != std::string::npos, click.dump());
    BOOST_TEST(click.dump().find("rule 'confirming' needs the target") != std::string::npos, click.dump());
    const std::string audit = audit_of(dirs, name);
    BOOST_TEST(audit.find("\"unreadable_field\":\"target\"") != std::string::npos, audit);

    // Once the app answers again, so does the gate: the target is known and a
    // click on the entry (not the OK button) runs.
    Json again;
    for (int attempt = 0; attempt < 20; ++attempt) {
        again = act(agent, {{"action", "left_click"}, {"coordinate", {x, y}}});
        if (again["ok"].get<bool>()) break;
        // The helper may still be finishing the call the stopped app never answered.
        BOOST_TEST_REQUIRE(again.dump().find("context:unavailable") != std::string::npos, again.dump());
        act(agent, {{"action", "wait"}, {"duration", 0.2}});
    }
    BOOST_TEST(again["ok"].get<bool>(), again.dump());
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

BOOST_AUTO_TEST_CASE(on_unreadable_approve_waits_for_a_reviewer) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-ask";
    SessionProcess session(
        dirs, dirs.manifest(name, entry_manifest(name, write_policy(dirs, policy_with("on_unreadable: approve")))));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [x, y] = centre_of(dirs, name, "text");
    const pid_t zenity = host_pid_of(dirs, name, "zenity");
    BOOST_REQUIRE(kill(zenity, SIGSTOP) == 0);
    std::string approval_id;
    AgentClient other((dirs.runtime() / name / "agent.sock").string());
    AgentClient reviewer((dirs.runtime() / name / "review.sock").string());
    Json click = agent.call({{"action", "left_click"}, {"coordinate", {x, y}}}, [&](const Json& interim) {
        approval_id = interim.value("approval_id", "");
        // The reviewer's picture asks the stopped app where its password
        // fields are: the question waits on the loop, not in it. The approval
        // is listed and another agent is served while the picture is taken.
        const Json listed = reviewer.call({{"type", "approvals"}});
        BOOST_TEST_REQUIRE(listed["approvals"].size() == 1u, listed.dump());
        BOOST_TEST(listed["approvals"][0]["screenshot"] == "taking", listed.dump());
        const Json shot = other.call({{"action", "screenshot"}});
        BOOST_TEST(shot["ok"].get<bool>(), shot.dump().substr(0, 300));
        BOOST_TEST(reviewer.call({{"type", "approvals"}})["approvals"][0]["screenshot"] == "taking");
        kill(zenity, SIGCONT);
        // Asked for, the picture is answered once it is taken (or why not).
        const Json seen = reviewer.call({{"type", "observation"}, {"approval", approval_id}});
        BOOST_TEST_REQUIRE(seen.value("ok", false), seen.dump().substr(0, 300));
        const Json& o = seen["observation"];
        BOOST_TEST((!o["png_base64"].get<std::string>().empty() || o.contains("error")), o.dump().substr(0, 300));
        BOOST_TEST(o.value("error", "").find("still being taken") == std::string::npos, o.dump().substr(0, 300));
        const auto [code, out] = run_deskbox(dirs, {"deny", "-s", name, approval_id, "--note", "cannot see it"});
        BOOST_TEST(code == 0, out);
    });
    kill(zenity, SIGCONT);
    BOOST_TEST(!approval_id.empty(), click.dump());
    BOOST_TEST(!click["ok"].get<bool>(), click.dump());
    BOOST_TEST(audit_of(dirs, name).find("\"rule\":\"context:unavailable\"") != std::string::npos);
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

BOOST_AUTO_TEST_CASE(an_approved_click_whose_target_went_away_is_refused) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-changed";
    SessionProcess session(dirs, dirs.manifest(name, entry_manifest(name, write_policy(dirs, policy_with("")))));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto [x, y] = centre_of(dirs, name, "push button");  // the first button: Cancel or OK
    const auto [ok_code, ok_tree] = run_deskbox(dirs, {"tree", "-s", name, "--format", "json"});
    int ok_x = -1, ok_y = -1;
    BOOST_REQUIRE(ok_code == 0);
    for (const auto& e : tree_elements(ok_tree))
        if (e.value("role", "") == "push button" && e.value("name", "") == "OK" && e["bbox"].is_object()) {
            ok_x = e["bbox"]["x"].get<int>() + e["bbox"]["width"].get<int>() / 2;
            ok_y = e["bbox"]["y"].get<int>() + e["bbox"]["height"].get<int>() / 2;
        }
    BOOST_REQUIRE(ok_x > 0 && x > 0 && y > 0);
    const pid_t zenity = host_pid_of(dirs, name, "zenity");
    std::string approval_id;
    Json click = agent.call({{"action", "left_click"}, {"coordinate", {ok_x, ok_y}}}, [&](const Json& interim) {
        approval_id = interim.value("approval_id", "");
        // While the reviewer looks, the dialog goes away (the app is killed).
        kill(zenity, SIGKILL);
        BOOST_TEST(wait_pids_gone({zenity}));
        const auto [code, out] = run_deskbox(dirs, {"approve", "-s", name, approval_id});
        BOOST_TEST(code == 0, out);
    });
    BOOST_TEST(!approval_id.empty(), click.dump());
    BOOST_TEST(!click["ok"].get<bool>(), click.dump());
    BOOST_TEST(click.dump().find("target_changed") != std::string::npos, click.dump());
    const std::string audit = audit_of(dirs, name);
    BOOST_TEST(audit.find("\"outcome\":\"target_changed\"") != std::string::npos, audit);
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

namespace {

// A click sent from its own connection on a thread (its reply comes when the gate decides).
struct ClickInFlight {
    Json reply;
    std::string error;
    std::thread thread;
    ClickInFlight(AgentClient& agent, std::pair<int, int> at)
        : thread([this, &agent, at] {
              try {
                  reply = agent.call({{"action", "left_click"}, {"coordinate", {at.first, at.second}}});
              } catch (const std::exception& e) {
                  error = e.what();
              }
          }) {}
    ~ClickInFlight() {
        if (thread.joinable()) thread.join();
    }
    Json wait() {
        thread.join();
        BOOST_TEST_REQUIRE(error.empty(), error);
        return reply;
    }
};

// How many proposals the gate has parked on a context lookup (deskbox status).
int reading_context(AgentClient& agent) {
    return agent.call({{"action", "status"}})["status"]["gate"].value("reading_context", -1);
}

// Waits until the click is parked at the gate: one status round trip per look.
void wait_parked(AgentClient& agent) {
    int parked = 0;
    for (int attempt = 0; attempt < 2000 && parked != 1; ++attempt) parked = reading_context(agent);
    BOOST_TEST_REQUIRE(parked == 1, "the click never waited for the stopped app");
}

// A session whose entry dialog (zenity) is stopped after its text field's
// place was read (AT-SPI questions about it hang until the helper's
// timeout), and one agent's click on the field parked at the gate, waiting
// for the app; `other` is a second agent connection.
struct ParkedClick {
    TestDirs dirs;
    std::string name;
    SessionProcess session;
    std::string socket;
    std::pair<int, int> text;
    pid_t zenity = -1;
    std::optional<AgentClient> clicker, other;
    std::optional<ClickInFlight> click;

    explicit ParkedClick(const std::string& session_name)
        : name(session_name),
          session(dirs, dirs.manifest(name, entry_manifest(name, write_policy(dirs, policy_with(""))))) {
        BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
        socket = (dirs.runtime() / name / "agent.sock").string();
        text = centre_of(dirs, name, "text");
        zenity = host_pid_of(dirs, name, "zenity");
        BOOST_REQUIRE(zenity > 0);
        BOOST_REQUIRE(kill(zenity, SIGSTOP) == 0);
        clicker.emplace(socket);
        other.emplace(socket);
        click.emplace(*clicker, text);
        wait_parked(*other);
    }
    ~ParkedClick() {
        kill(zenity, SIGCONT);
        click.reset();  // the thread ends with the click's reply
    }
    // After the session ended: the kept audit log, which must verify.
    std::string verified_audit() {
        const fs::path audit = dirs.state() / name / "audit.jsonl";
        const auto [code, out] = run_deskbox(dirs, {"audit", "verify", audit.string()});
        BOOST_TEST(code == 0, out);
        return slurp(audit);
    }
};

}  // namespace

// The gate's lookups wait on the session's loop, not in it: while one agent's
// click waits for a stopped app's accessibility answer, another agent is
// served (status, a screenshot), and only then is the click refused, naming
// the target it could not know. The audit log verifies.
BOOST_AUTO_TEST_CASE(a_click_waiting_on_a_stopped_app_does_not_hold_other_agents) {
    if (!require_root()) return;
    ParkedClick s("ctx-parked");
    AgentClient& other = *s.other;
    // Meanwhile the other agent gets its screenshot ...
    const Json shot = other.call({{"action", "screenshot"}});
    BOOST_TEST(shot["ok"].get<bool>(), shot.dump().substr(0, 500));
    // ... answered while the click was still waiting for the app.
    BOOST_TEST(reading_context(other) == 1);
    const Json refused = s.click->wait();
    BOOST_TEST(!refused["ok"].get<bool>(), refused.dump());
    BOOST_TEST(refused.dump().find("context:unavailable") != std::string::npos, refused.dump());
    BOOST_TEST(refused.dump().find("rule 'confirming' needs the target") != std::string::npos, refused.dump());
    BOOST_TEST(reading_context(other) == 0);
    kill(s.zenity, SIGCONT);
    s.session.signal(SIGTERM);
    s.session.wait_exit(60'000);
    BOOST_TEST(s.verified_audit().find("\"unreadable_field\":\"target\"") != std::string::npos);
}

// The kill switch while a click waits for a stopped app: the parked click is
// refused ("session:stopped") and audited at once, and the log verifies.
BOOST_AUTO_TEST_CASE(stop_refuses_a_click_waiting_on_a_stopped_app) {
    if (!require_root()) return;
    ParkedClick s("ctx-parked-stop");
    const auto [code, out] = run_deskbox(s.dirs, {"stop", "-s", s.name, "--note", "kill switch"});
    BOOST_TEST(code == 0, out);
    const Json refused = s.click->wait();
    BOOST_TEST(!refused["ok"].get<bool>(), refused.dump());
    BOOST_TEST(refused.dump().find("session:stopped") != std::string::npos, refused.dump());
    s.session.wait_exit(60'000);
    BOOST_TEST(s.verified_audit().find("\"rule\":\"session:stopped\"") != std::string::npos);
}

// An agent's `tree` waits for the accessibility helper, which waits for a
// stopped app. The question goes out through the loop, so meanwhile another
// agent's screenshot is answered and `deskbox stop` ends the session; the
// tree's late answer is dropped and the audit log verifies.
BOOST_AUTO_TEST_CASE(a_tree_waiting_on_a_stopped_app_holds_neither_agents_nor_the_kill_switch) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-tree-stopped";
    SessionProcess session(dirs, dirs.manifest(name, entry_manifest(name, write_policy(dirs, policy_with("")))));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    const std::string socket = (dirs.runtime() / name / "agent.sock").string();
    const pid_t zenity = host_pid_of(dirs, name, "zenity");
    BOOST_REQUIRE(zenity > 0);
    BOOST_REQUIRE(kill(zenity, SIGSTOP) == 0);
    AgentClient walker(socket), other(socket);
    std::atomic<bool> tree_answered{false};
    std::string tree_error;
    std::thread tree_thread([&] {
        try {
            walker.call({{"action", "tree"}});
        } catch (const std::exception& e) {
            tree_error = e.what();  // the session ended before it answered
        }
        tree_answered = true;
    });
    // The tree was decided (the decision is audited before it runs): its
    // question is out. One status round trip per look at the log.
    const fs::path live_audit = dirs.runtime() / name / "audit.jsonl";
    bool decided = false;
    for (int attempt = 0; attempt < 2000 && !decided; ++attempt) {
        decided = slurp(live_audit).find(R"("kind":"tree")") != std::string::npos;
        if (!decided) other.call({{"action", "status"}});
    }
    BOOST_REQUIRE_MESSAGE(decided, "the tree was never proposed");
    const Json shot = other.call({{"action", "screenshot"}});
    BOOST_TEST(shot["ok"].get<bool>(), shot.dump().substr(0, 300));
    BOOST_TEST(!tree_answered.load(), "the screenshot waited for the stopped app's tree");
    const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name, "--note", "kill switch"});
    BOOST_TEST(code == 0, out);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    kill(zenity, SIGCONT);
    tree_thread.join();
    const fs::path kept = dirs.state() / name / "audit.jsonl";
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", kept.string()});
    BOOST_TEST(verify_code == 0, verify_out);
    const std::string audit = slurp(kept);
    // The frozen app got its SIGTERM (init sends SIGCONT after it): it did
    // not hold the teardown for the whole grace period and a SIGKILL.
    std::ifstream kept_status(dirs.state() / name / "status.json");
    const Json last_status = Json::parse(kept_status);
    BOOST_TEST(last_status["apps"][0].value("last_exit", "") == "killed by signal 15 (Terminated)", last_status.dump());
    // The teardown record is the log's last.
    BOOST_REQUIRE(audit.size() > 2);
    const std::string last = audit.substr(audit.rfind('\n', audit.size() - 2) + 1);
    BOOST_TEST(Json::parse(last)["type"] == "teardown", last);
}

// An app that grabs the X server and then hangs (here: never lets go) holds
// neither the agent's observations nor the kill switch: the supervisor's X
// connections are impervious to grabs (XTEST), so the gate still reads the
// focused window, the screenshot is taken, and `deskbox stop` ends the session.
BOOST_AUTO_TEST_CASE(an_app_holding_the_x_server_holds_neither_observations_nor_the_kill_switch) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "ctx-grab";
    const char* root = std::getenv("DESKBOX_BUILD_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_BUILD_ROOT is not set (run through meson test)");
    const std::string grabber = std::string(root) + "/tests/integration/x-grabber";
    const std::string manifest = "session: {name: " + name +
                                 "}\n"
                                 "sandbox: {memory: 1G, pids: 256, files: [{from: " +
                                 grabber +
                                 ", to: ~/x-grabber}]}\n"
                                 "apps:\n"
                                 "  - {name: grabber, exec: [~/x-grabber]}\n"
                                 "policy: " +
                                 write_policy(dirs, kTypingPolicy).string() +
                                 "\n"
                                 "review: {vnc: {enabled: false}}\n";
    SessionProcess session(dirs, dirs.manifest(name, manifest));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    BOOST_REQUIRE_MESSAGE(session.wait_for("X-GRABBER-READY", 30'000), session.output());
    const pid_t grabber_pid = host_pid_of(dirs, name, "x-grabber");
    BOOST_REQUIRE(grabber_pid > 0);
    BOOST_REQUIRE(kill(grabber_pid, SIGUSR1) == 0);
    BOOST_REQUIRE_MESSAGE(session.wait_for("X-GRABBED", 30'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    // The pointer moves (the gate reads the focused window from X) and the
    // screen is captured while the grab holds.
    const Json moved = agent.call({{"action", "mouse_move"}, {"coordinate", {100, 100}}});
    BOOST_TEST(moved["ok"].get<bool>(), moved.dump());
    const Json shot = agent.call({{"action", "screenshot"}});
    BOOST_TEST(shot["ok"].get<bool>(), shot.dump().substr(0, 300));
    const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name, "--note", "kill switch"});
    BOOST_TEST(code == 0, out);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    const fs::path kept = dirs.state() / name / "audit.jsonl";
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", kept.string()});
    BOOST_TEST(verify_code == 0, verify_out);
}
