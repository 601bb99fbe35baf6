// Today's agents, unchanged, against a real session (sandbox, Xvfb, a real
// GTK entry from zenity): Anthropic's computer toolset block by block,
// OpenAI computer_calls with pending safety checks through a reviewer, and
// OSWorld's pyautogui code. What they do must show in real X state (the
// pointer, the text zenity prints when Return submits its entry); what is
// malformed or refused must not reach the display at all.
#define BOOST_TEST_MODULE deskbox agent dialect tests
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

// Everything runs on the policy's allow: whatever waits for a reviewer here
// does so because of the request itself (OpenAI safety checks).
const char* kPolicy = R"(version: 1
default: allow
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: observe, when: {action: [screenshot, cursor_position, zoom, wait]}, tier: low}
)";

struct Session {
    TestDirs dirs;
    std::string name;
    std::unique_ptr<SessionProcess> process;
    std::unique_ptr<AgentClient> agent;

    explicit Session(const std::string& session_name) : name(session_name) {
        const auto policy = dirs.root() / "policy.yaml";
        std::ofstream(policy) << kPolicy;
        const std::string manifest = entry_manifest_yaml(name, policy, ", budget: {actions_per_second: 100}");
        process = std::make_unique<SessionProcess>(dirs, dirs.manifest(name, manifest));
        BOOST_REQUIRE_MESSAGE(process->wait_for("ready on display", 90'000), process->output());
        agent = std::make_unique<AgentClient>((dirs.runtime() / name / "agent.sock").string());
    }

    Json member(const std::string& id, const std::string& name_, const Json& input) {
        return agent->call(
            {{"type", "tool_use"}, {"id", id}, {"name", name_}, {"toolset_name", "computer"}, {"input", input}});
    }

    // The text of a toolset reply's first content block.
    static std::string text_of(const Json& reply) {
        const Json& content = reply["tool_result"]["content"];
        if (!content.is_array() || content.empty() || !content[0].contains("text")) return "";
        return content[0]["text"].get<std::string>();
    }

    // zenity prints the entry's text when Return submits it, then exits.
    void expect_submitted(const std::string& text) {
        BOOST_TEST_REQUIRE(process->wait_for("[" + name + "] " + text + "\n", 30'000), process->output());
        BOOST_TEST(process->wait_exit(60'000) == 0, process->output());
    }

    std::string audit_log() const {
        std::ifstream in(dirs.state() / name / "audit.jsonl");
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
};

Json cursor_json(int x, int y) {
    return Json::array({{{"type", "text"}, {"text", "X=" + std::to_string(x) + ",Y=" + std::to_string(y)}}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_toolset_member_moves_real_x_state) {
    if (!require_root()) return;
    Session s("e2e-toolset");

    // Where the pointer starts (over the dialog, where the keyboard goes): come back here to type.
    Json start = s.member("toolu_00", "cursor_position", Json::object());
    BOOST_TEST_REQUIRE(start["ok"].get<bool>(), start.dump());
    const std::string home = Session::text_of(start);

    Json shot = s.member("toolu_01", "screenshot", Json::object());
    BOOST_TEST_REQUIRE(shot["ok"].get<bool>(), shot.dump());
    BOOST_TEST(shot["tool_result"]["toolset_name"] == "computer");
    BOOST_TEST(shot["tool_result"]["tool_use_id"] == "toolu_01");
    BOOST_TEST(shot["tool_result"]["content"][0]["source"]["data"].get<std::string>().rfind("iVBORw0KGgo", 0) == 0);
    Json zoom = s.member("toolu_02", "zoom", {{"region", {0, 0, 512, 384}}});
    BOOST_TEST(zoom["tool_result"]["content"][0]["type"] == "image", zoom.dump().substr(0, 300));

    // Pointer members: each leaves the pointer where it says (XQueryPointer via
    // cursor_position). They act in the screen's empty bottom-right corner,
    // away from the dialog, so that no click moves the entry's focus.
    struct Step {
        const char* name;
        Json input;
        const char* ack;
        int x, y;
    };
    const Step steps[] = {
        {"mouse_move", {{"coordinate", {1000, 700}}}, "Moved the mouse.", 1000, 700},
        {"left_click", {{"coordinate", {910, 660}}}, "Clicked.", 910, 660},
        {"left_click", {{"coordinate", {912, 662}}, {"text", "shift"}}, "Clicked.", 912, 662},
        {"right_click", {{"coordinate", {920, 680}}}, "Right-clicked.", 920, 680},
        {"middle_click", {{"coordinate", {940, 680}}}, "Middle-clicked.", 940, 680},
        {"double_click", {{"coordinate", {950, 710}}}, "Double-clicked.", 950, 710},
        {"triple_click", {{"coordinate", {970, 710}}}, "Triple-clicked.", 970, 710},
        {"left_click_drag", {{"start_coordinate", {915, 665}}, {"coordinate", {990, 730}}}, "Dragged.", 990, 730},
        {"left_mouse_down", Json::object(), "Left mouse button pressed.", 990, 730},
        {"mouse_move", {{"coordinate", {995, 735}}}, "Moved the mouse.", 995, 735},
        {"left_mouse_up", Json::object(), "Left mouse button released.", 995, 735},
        {"scroll",
         {{"coordinate", {930, 690}}, {"scroll_direction", "down"}, {"scroll_amount", 2}},
         "Scrolled down.",
         930,
         690},
        {"scroll",
         {{"coordinate", {931, 691}}, {"scroll_direction", "left"}, {"scroll_amount", 1}},
         "Scrolled left.",
         931,
         691},
    };
    int n = 10;
    for (const auto& step : steps) {
        const std::string id = "toolu_" + std::to_string(n++);
        Json reply = s.member(id, step.name, step.input);
        BOOST_TEST_REQUIRE(reply["ok"].get<bool>(), reply.dump());
        BOOST_TEST(reply["tool_result"] == Json({{"type", "tool_result"},
                                                 {"tool_use_id", id},
                                                 {"toolset_name", "computer"},
                                                 {"content", {{{"type", "text"}, {"text", step.ack}}}}}),
                   reply.dump());
        Json where = s.member(id + "_c", "cursor_position", Json::object());
        BOOST_TEST(where["tool_result"]["content"] == cursor_json(step.x, step.y), step.name << ": " << where.dump());
    }
    BOOST_TEST(Session::text_of(s.member("toolu_40", "wait", {{"duration", 0.1}})) == "Waited 0.1s.");
    BOOST_TEST(Session::text_of(s.member("toolu_41", "hold_key", {{"text", "shift"}, {"duration", 0.2}})) ==
               "Held shift for 0.2s.");

    // Malformed members are clear errors with an is_error tool_result, and do nothing.
    Json bad = s.member("toolu_50", "type", {{"text", "never"}, {"speed", 3}});
    BOOST_TEST(!bad["ok"].get<bool>());
    BOOST_TEST(bad["error"]["message"] ==
               "unknown field 'input.speed' of computer toolset member 'type' (its fields: text)");
    BOOST_TEST(bad["tool_result"]["is_error"] == true);
    BOOST_TEST(bad["tool_result"]["tool_use_id"] == "toolu_50");
    bad = s.member("toolu_51", "key", {{"text", "a"}, {"repeat", 0}});
    BOOST_TEST(bad["error"]["message"] == "field 'input.repeat' is 0, outside 1..100");
    bad = s.member("toolu_52", "left_click", {{"coordinate", {5000, 5}}});
    BOOST_TEST(bad["error"]["code"] == "out_of_range");

    // Keys into the real GTK entry: type, key with repeat, then Return submits.
    const auto comma = home.find(',');
    const int hx = std::stoi(home.substr(2, comma - 2)), hy = std::stoi(home.substr(comma + 3));
    BOOST_TEST_REQUIRE(s.member("toolu_60", "mouse_move", {{"coordinate", {hx, hy}}})["ok"].get<bool>());
    BOOST_TEST(Session::text_of(s.member("toolu_61", "type", {{"text", "toolset-é42XYZ"}})) == "Typed.");
    Json back = s.member("toolu_62", "key", {{"text", "BackSpace"}, {"repeat", 3}});
    BOOST_TEST(Session::text_of(back) == "Pressed BackSpace.", back.dump());
    BOOST_TEST(Session::text_of(s.member("toolu_63", "key", {{"text", "Return"}})) == "Pressed Return.");
    s.expect_submitted("toolset-é42");
}

BOOST_AUTO_TEST_CASE(openai_safety_checks_wait_for_a_reviewer) {
    if (!require_root()) return;
    Session s("e2e-safety");
    const Json checks = Json::parse(R"([{"id":"cu_sc_e2e1","code":"malicious_instructions",
        "message":"The screen asks the agent to type a password."}])");

    // Approved: the reviewer saw the check, the call ran, the reply acknowledges it.
    std::string approval_id;
    Json approved = s.agent->call(
        {{"type", "computer_call"},
         {"id", "cu_1"},
         {"call_id", "call_1"},
         {"action", {{"type", "type"}, {"text", "ok-"}}},
         {"pending_safety_checks", checks},
         {"status", "completed"}},
        [&](const Json& interim) {
            approval_id = interim.value("approval_id", "");
            BOOST_TEST(interim["rule"] == "openai:safety_check", interim.dump());
            const auto [code, out] = run_deskbox(s.dirs, {"approvals", "-s", s.name});
            BOOST_TEST(code == 0, out);
            BOOST_TEST(out.find("safety check cu_sc_e2e1 [malicious_instructions]: The screen asks the agent to type a "
                                "password.") != std::string::npos,
                       out);
            const auto [ok, ok_out] = run_deskbox(s.dirs, {"approve", "-s", s.name, approval_id, "--note", "checked"});
            BOOST_TEST(ok == 0, ok_out);
        });
    BOOST_TEST_REQUIRE(!approval_id.empty());
    BOOST_TEST_REQUIRE(approved["ok"].get<bool>(), approved.dump());
    BOOST_TEST(approved["item"]["acknowledged_safety_checks"] == checks);
    BOOST_TEST(approved["item"]["output"]["type"] == "computer_screenshot");
    BOOST_TEST(approved["item"]["call_id"] == "call_1");

    // Denied: refused, nothing typed.
    Json denied =
        s.agent->call({{"type", "computer_call"},
                       {"id", "cu_2"},
                       {"call_id", "call_2"},
                       {"action", {{"type", "type"}, {"text", "NEVER"}}},
                       {"pending_safety_checks", checks}},
                      [&](const Json& interim) {
                          const auto [code, out] = run_deskbox(
                              s.dirs, {"deny", "-s", s.name, interim.value("approval_id", ""), "--note", "no"});
                          BOOST_TEST(code == 0, out);
                      });
    BOOST_TEST(!denied["ok"].get<bool>(), denied.dump());
    BOOST_TEST(denied["error"]["code"] == "refused");
    BOOST_TEST(!denied.contains("item"));

    // Without checks the policy's allow runs it at once (no pending line).
    bool waited = false;
    Json plain =
        s.agent->call({{"type", "computer_call"},
                       {"id", "cu_3"},
                       {"call_id", "call_3"},
                       {"actions", {{{"type", "type"}, {"text", "done"}}, {{"type", "keypress"}, {"keys", {"ENTER"}}}}},
                       {"pending_safety_checks", Json::array()}},
                      [&](const Json&) { waited = true; });
    BOOST_TEST(plain["ok"].get<bool>(), plain.dump());
    BOOST_TEST(!waited);
    BOOST_TEST(plain["item"]["output"]["type"] == "computer_screenshot");
    BOOST_TEST(!plain["item"].contains("acknowledged_safety_checks"));
    s.expect_submitted("ok-done");

    // The audit log names the checks in the proposal and in the reviewer's approval record.
    const std::string log = s.audit_log();
    BOOST_TEST(log.find("\"approval\"") != std::string::npos);
    BOOST_TEST(
        log.find("\"safety_checks\":[{\"code\":\"malicious_instructions\",\"id\":\"cu_sc_e2e1\"") != std::string::npos,
        log);
    const auto [verify_code, verify_out] =
        run_deskbox(s.dirs, {"audit", "verify", (s.dirs.state() / s.name / "audit.jsonl").string()});
    BOOST_TEST(verify_code == 0, verify_out);
}

BOOST_AUTO_TEST_CASE(pyautogui_code_drives_a_real_gtk_app) {
    if (!require_root()) return;
    Session s("e2e-pyautogui");
    const std::string home = Session::text_of(s.member("toolu_h", "cursor_position", Json::object()));

    // Moves, absolute and relative, land where the code says.
    Json moved = s.agent->call(
        {{"id", 1}, {"code", "import pyautogui\npyautogui.moveTo(300, 200)\npyautogui.moveRel(10, -20)"}});
    BOOST_TEST_REQUIRE(moved["ok"].get<bool>(), moved.dump());
    BOOST_TEST(moved["dialect"] == "osworld");
    BOOST_TEST(s.member("toolu_c1", "cursor_position", Json::object())["tool_result"]["content"] ==
               cursor_json(310, 180));
    Json clicks = s.agent->call({{"id", 2},
                                 {"code",
                                  "pyautogui.click(x=920, y=680); pyautogui.rightClick(925, 680)\n"
                                  "pyautogui.dragTo(960, 720, duration=0.2)\npyautogui.scroll(-2, x=940, y=740)"}});
    BOOST_TEST_REQUIRE(clicks["ok"].get<bool>(), clicks.dump());
    BOOST_TEST(s.member("toolu_c2", "cursor_position", Json::object())["tool_result"]["content"] ==
               cursor_json(940, 740));

    // A forbidden construct anywhere: refused with its position, and nothing of the request runs.
    Json refused = s.agent->call({{"id", 3}, {"code", "pyautogui.typewrite('LEAKED')\nimport os\nos.system('true')"}});
    BOOST_TEST(!refused["ok"].get<bool>());
    BOOST_TEST(refused["error"]["code"] == "forbidden_construct");
    BOOST_TEST(refused["error"]["message"] ==
               "line 2, column 8: import of 'os' (only pyautogui and time) is not allowed (pyautogui subset, see "
               "docs/protocol.md)");
    for (const auto& [code, construct] : std::vector<std::pair<std::string, std::string>>{
             {"pyautogui.typewrite(f'{x}')", "line 1, column 21: an f-string"},
             {"for i in range(2): pyautogui.press('a')", "line 1, column 1: a 'for' loop"},
             {"x = 3", "line 1, column 1: assignment to 'x'"},
             {"pyautogui.click(1, 1)\neval('1')", "line 2, column 1: a call of 'eval'"},
             {"pyautogui.click(1, 1)\nsubprocess.run(['ls'])",
              "line 2, column 1: 'subprocess.run' (only pyautogui and time.sleep)"},
         }) {
        Json r = s.agent->call({{"id", 4}, {"code", code}});
        BOOST_TEST(r["error"]["message"].get<std::string>().rfind(construct, 0) == 0, code << " -> " << r.dump());
    }
    BOOST_TEST(s.member("toolu_c3", "cursor_position", Json::object())["tool_result"]["content"] ==
               cursor_json(940, 740));

    // Typing into the GTK entry and submitting it; WAIT / DONE are understood.
    const auto comma = home.find(',');
    const int hx = std::stoi(home.substr(2, comma - 2)), hy = std::stoi(home.substr(comma + 3));
    Json typed = s.agent->call(
        {{"id", 5},
         {"code", "import pyautogui\nimport time\npyautogui.moveTo(" + std::to_string(hx) + ", " + std::to_string(hy) +
                      ")\npyautogui.typewrite('RUN-78432 \\u00e9', interval=0.05)\ntime.sleep(0.1);\n"
                      "pyautogui.press('backspace', presses=2)\npyautogui.hotkey('shift', "
                      "'x')\npyautogui.press('enter')\nDONE"}});
    BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());
    BOOST_TEST(typed["result"]["episode"] == "done");
    s.expect_submitted("RUN-78432X");
}
