// The agent server on a real Unix socket and EventLoop, with a recording
// desktop and gate: every action passes the gate before it runs, pending
// verdicts give two lines, replies follow the dialect.
#include "supervisor/control/agent_server.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "supervisor/control/base64.h"
#include "tests/unit/control/fakes.h"
#include "tests/unit/control/printers.h"
#include "tests/unit/control/socket_helpers.h"

namespace deskbox {
namespace {

struct ServerFixture {
    std::filesystem::path dir;
    EventLoop loop;
    test::FakeExecutor desktop;
    test::FakeGate gate;
    std::unique_ptr<AgentServer> server;
    std::unique_ptr<test::Peer> agent;

    ServerFixture() {
        char tmpl[] = "/tmp/deskbox-agent-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("mkdtemp");
        dir = tmpl;
        AgentServer::Options options;
        options.socket_path = (dir / "agent.sock").string();
        server = std::make_unique<AgentServer>(
            loop, desktop, gate,
            [] {
                return Json{{"session", "test"}, {"state", "running"}};
            },
            options);
        agent = std::make_unique<test::Peer>(loop, connect_unix(options.socket_path));
    }
    ~ServerFixture() {
        agent.reset();
        server.reset();
        std::filesystem::remove_all(dir);
    }
    // Test requests are written over several source lines; the wire wants one.
    Json ask(std::string line) {
        for (char& c : line)
            if (c == '\n') c = ' ';
        agent->send(line + "\n");
        return agent->line();
    }
};

BOOST_AUTO_TEST_CASE(action_goes_through_gate_then_executor) {
    ServerFixture f;
    const Json reply = f.ask(R"({"id":"r1","action":"left_click","coordinate":[100,200]})");
    BOOST_TEST(reply["id"] == "r1");
    BOOST_TEST(reply["ok"] == true);
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 1u);
    BOOST_TEST(f.gate.proposals[0].request_id == "r1");
    BOOST_TEST(f.gate.proposals[0].dialect == Dialect::Anthropic);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 1u);
    BOOST_TEST((f.desktop.executed[0].point == Point{100, 200}));
    BOOST_REQUIRE_EQUAL(f.gate.results.size(), 1u);
    BOOST_TEST(f.gate.results[0].first);
    BOOST_TEST(f.gate.results[0].second == "click done");
    BOOST_TEST(reply["tool_result"]["type"] == "tool_result");
    BOOST_TEST(reply["tool_result"]["content"][0]["text"] == "left_click done");
}

BOOST_AUTO_TEST_CASE(identify_labels_every_later_proposal_of_the_connection) {
    ServerFixture f;
    const Json hello = f.ask(R"({"id":"h","action":"identify","agent":"ci-bot"})");
    BOOST_TEST(hello.dump() == R"({"agent":"ci-bot","id":"h","ok":true})");
    BOOST_TEST(f.gate.proposals.empty());  // not an action: nothing is proposed
    f.ask(R"({"id":"r1","action":"left_click","coordinate":[100,200]})");
    f.ask(R"({"id":"r2","action":"screenshot"})");
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 2u);
    BOOST_TEST(f.gate.proposals[0].agent == "ci-bot");
    BOOST_TEST(f.gate.proposals[1].agent == "ci-bot");
    // The same name again is fine; another one is not (the label cannot change).
    BOOST_TEST(f.ask(R"({"id":"h2","action":"identify","agent":"ci-bot"})")["ok"] == true);
    const Json other = f.ask(R"({"id":"h3","action":"identify","agent":"someone-else"})");
    BOOST_TEST(other["error"]["code"] == "invalid_request");
    BOOST_TEST(other["error"]["message"] == "this connection already identified as 'ci-bot'");
}

BOOST_AUTO_TEST_CASE(identify_checks_the_name) {
    ServerFixture f;
    const Json bad = f.ask(R"({"id":1,"action":"identify","agent":"two words"})");
    BOOST_TEST(bad["error"]["code"] == "invalid_field");
    BOOST_TEST(bad["error"]["message"] ==
               "field 'agent' must be 1-64 characters of A-Z a-z 0-9 _ . @ -, got 'two words'");
    BOOST_TEST(f.ask(R"({"id":2,"action":"identify"})")["error"]["code"] == "missing_field");
    // Without identify, proposals carry no name.
    f.ask(R"({"id":"r1","action":"left_click","coordinate":[1,2]})");
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 1u);
    BOOST_TEST(f.gate.proposals[0].agent.empty());
}

BOOST_AUTO_TEST_CASE(refused_action_never_reaches_the_desktop) {
    ServerFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Refuse;
        v.rule = "no terminals";
        v.reason = "terminal windows are off limits";
        return v;
    };
    const Json reply = f.ask(R"({"id":7,"action_type":"TYPING","parameters":{"text":"rm -rf /"}})");
    BOOST_TEST(reply["id"] == 7);
    BOOST_TEST(reply["ok"] == false);
    BOOST_TEST(reply["error"]["code"] == "refused");
    BOOST_TEST(reply["error"]["rule"] == "no terminals");
    BOOST_TEST(reply["error"]["message"] == "refused by policy rule 'no terminals': terminal windows are off limits");
    BOOST_TEST(f.desktop.executed.empty());
    BOOST_TEST(f.gate.results.empty());
}

BOOST_AUTO_TEST_CASE(pending_verdict_gives_pending_line_then_final_line) {
    ServerFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Pending;
        v.rule = "deploy controls";
        v.approval_id = "ap-1";
        v.reason = "waiting for a reviewer";
        return v;
    };
    const Json pending = f.ask(R"({"id":"p","action":"click_element","role":"push button","name":"Deploy"})");
    BOOST_TEST(pending["id"] == "p");
    BOOST_TEST(pending["pending"] == true);
    BOOST_TEST(pending["approval_id"] == "ap-1");
    BOOST_TEST(pending["rule"] == "deploy controls");
    BOOST_TEST(f.desktop.executed.empty());
    // Another request is served meanwhile on the same connection.
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Execute;
        v.rule = "observe";
        return v;
    };
    const Json status = f.ask(R"({"id":"s","action":"status"})");
    BOOST_TEST(status["status"]["state"] == "running");
    f.gate.resolve(GateVerdict::Outcome::Execute);
    const Json final_reply = f.agent->line();
    BOOST_TEST(final_reply["id"] == "p");
    BOOST_TEST(final_reply["ok"] == true);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 1u);
    BOOST_TEST(f.desktop.executed[0].element->name == "Deploy");
}

BOOST_AUTO_TEST_CASE(a_parked_proposal_holds_its_connection_but_not_the_others) {
    ServerFixture f;
    test::Peer other(f.loop, connect_unix((f.dir / "agent.sock").string()));
    f.gate.park = true;  // the gate reads the click's context on the loop
    f.agent->send(R"({"id":"c","action":"left_click","coordinate":[10,20]})"
                  "\n");
    f.agent->send(R"({"id":"s1","action":"status"})"
                  "\n");
    for (int turn = 0; turn < 100 && f.gate.parked.empty(); ++turn) f.loop.run_once(Millis(50));
    for (int turn = 0; turn < 5; ++turn) f.loop.run_once(Millis(10));  // s1 is read too
    other.send(R"({"id":"s2","action":"status"})"
               "\n");
    // The other connection is answered while the click is parked ...
    const Json answered = other.line();
    BOOST_TEST(answered["id"] == "s2");
    BOOST_REQUIRE_EQUAL(f.gate.parked.size(), 1u);
    // ... while this connection's status waits behind its click.
    BOOST_TEST(f.agent->pending_lines() == 0u);
    f.gate.park = false;
    f.gate.unpark();
    const auto replies = f.agent->lines(2);
    BOOST_TEST(replies[0]["id"] == "c");
    BOOST_TEST(replies[0]["ok"] == true);
    BOOST_TEST(replies[1]["id"] == "s1");
    BOOST_TEST(f.desktop.executed.size() == 1u);
}

// An action whose executor answers later (its accessibility question is
// out) holds its own connection until its reply, never the loop: another
// connection is answered meanwhile.
BOOST_AUTO_TEST_CASE(an_action_answered_later_holds_its_connection_but_not_the_others) {
    ServerFixture f;
    test::Peer other(f.loop, connect_unix((f.dir / "agent.sock").string()));
    f.desktop.defer = true;
    f.agent->send(R"({"id":"t","action":"left_click","coordinate":[10,20]})"
                  "\n");
    f.agent->send(R"({"id":"s1","action":"status"})"
                  "\n");
    for (int turn = 0; turn < 100 && f.desktop.deferred.empty(); ++turn) f.loop.run_once(Millis(50));
    for (int turn = 0; turn < 5; ++turn) f.loop.run_once(Millis(10));  // s1 is read too
    BOOST_REQUIRE_EQUAL(f.desktop.deferred.size(), 1u);
    other.send(R"({"id":"s2","action":"status"})"
               "\n");
    BOOST_TEST(other.line()["id"] == "s2");
    BOOST_TEST(f.agent->pending_lines() == 0u);  // s1 waits behind the action
    BOOST_TEST(f.gate.results.empty());          // nothing recorded before it ran
    f.desktop.answer_deferred();
    const auto replies = f.agent->lines(2);
    BOOST_TEST(replies[0]["id"] == "t");
    BOOST_TEST(replies[0]["ok"] == true);
    BOOST_TEST(replies[1]["id"] == "s1");
    BOOST_REQUIRE_EQUAL(f.gate.results.size(), 1u);
    BOOST_TEST(f.gate.results[0].first);
}

// The server goes while an action is out: its late answer does nothing.
BOOST_AUTO_TEST_CASE(a_late_answer_after_the_server_went_is_dropped) {
    ServerFixture f;
    f.desktop.defer = true;
    f.agent->send(R"({"id":"t","action":"left_click","coordinate":[10,20]})"
                  "\n");
    for (int turn = 0; turn < 100 && f.desktop.deferred.empty(); ++turn) f.loop.run_once(Millis(50));
    BOOST_REQUIRE_EQUAL(f.desktop.deferred.size(), 1u);
    f.server.reset();
    f.desktop.answer_deferred();
    BOOST_TEST(f.gate.results.empty());
}

BOOST_AUTO_TEST_CASE(a_refused_parked_proposal_releases_its_connection_in_order) {
    ServerFixture f;
    f.gate.park = true;
    f.gate.decide = [](const Proposal& p) {
        GateVerdict v;
        v.outcome = p.request_id == "c1" ? GateVerdict::Outcome::Refuse : GateVerdict::Outcome::Execute;
        v.rule = p.request_id == "c1" ? "context:unavailable" : "test-allow";
        v.reason = "the target is not known";
        return v;
    };
    f.agent->send(R"({"id":"c1","action":"left_click","coordinate":[10,20]})"
                  "\n");
    f.agent->send(R"({"id":"c2","action":"left_click","coordinate":[30,40]})"
                  "\n");
    for (int turn = 0; turn < 100 && f.gate.parked.empty(); ++turn) f.loop.run_once(Millis(50));
    for (int turn = 0; turn < 5; ++turn) f.loop.run_once(Millis(10));  // c2 is read too
    // Only the first is at the gate: the second waits for its answer.
    BOOST_REQUIRE_EQUAL(f.gate.parked.size(), 1u);
    f.gate.unpark();  // c1 refused; c2 goes to the gate (and parks)
    BOOST_TEST(f.agent->line()["id"] == "c1");
    BOOST_REQUIRE_EQUAL(f.gate.parked.size(), 1u);
    f.gate.unpark();
    const Json second = f.agent->line();
    BOOST_TEST(second["id"] == "c2");
    BOOST_TEST(second["ok"] == true);
    BOOST_TEST(f.desktop.executed.size() == 1u);
}

BOOST_AUTO_TEST_CASE(denied_after_pending_is_a_refusal) {
    ServerFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Pending;
        v.approval_id = "ap-2";
        return v;
    };
    BOOST_TEST(f.ask(R"({"id":1,"type":"click","x":1,"y":1})")["pending"] == true);
    f.gate.resolve(GateVerdict::Outcome::Refuse, "reviewer denied");
    const Json reply = f.agent->line();
    BOOST_TEST(reply["error"]["code"] == "refused");
    BOOST_TEST(f.desktop.executed.empty());
}

BOOST_AUTO_TEST_CASE(approval_after_the_agent_left_is_not_executed) {
    ServerFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Pending;
        return v;
    };
    BOOST_TEST(f.ask(R"({"id":1,"action":"type","text":"x"})")["pending"] == true);
    f.agent->reset();
    while (f.server->server().connection_count() > 0 && f.loop.run_once(Millis(2000))) {
    }
    f.gate.resolve(GateVerdict::Outcome::Execute);
    BOOST_TEST(f.desktop.executed.empty());
    BOOST_REQUIRE_EQUAL(f.gate.results.size(), 1u);
    BOOST_TEST(!f.gate.results[0].first);
    BOOST_TEST(f.gate.results[0].second == "not executed: the agent disconnected before the decision");
}

BOOST_AUTO_TEST_CASE(openai_reply_is_computer_call_output_with_data_url) {
    ServerFixture f;
    const Json reply = f.ask(R"({"type":"computer_call","id":"cu_1","call_id":"call_9",
                                 "action":{"type":"click","button":"left","x":156,"y":50}})");
    BOOST_TEST(reply["id"] == "cu_1");
    BOOST_TEST(reply["item"]["type"] == "computer_call_output");
    BOOST_TEST(reply["item"]["call_id"] == "call_9");
    BOOST_TEST(reply["item"]["output"]["type"] == "computer_screenshot");
    BOOST_TEST(reply["item"]["output"]["image_url"] == "data:image/png;base64," + base64_encode("IMG"));
    // The screenshot the reply carries is an action too: it passed the gate.
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 2u);
    BOOST_TEST(f.gate.proposals[1].action.kind == ActionKind::Screenshot);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 2u);
}

BOOST_AUTO_TEST_CASE(openai_batch_runs_in_order_and_stops_at_refusal) {
    ServerFixture f;
    f.gate.decide = [](const Proposal& p) {
        GateVerdict v;
        v.outcome = p.action.kind == ActionKind::Key ? GateVerdict::Outcome::Refuse : GateVerdict::Outcome::Execute;
        v.rule = "r";
        return v;
    };
    const Json reply = f.ask(R"({"type":"computer_call","call_id":"c","actions":[
        {"type":"click","x":1,"y":1},{"type":"keypress","keys":["CTRL","W"]},{"type":"type","text":"no"}]})");
    BOOST_TEST(reply["error"]["code"] == "refused");
    BOOST_TEST(reply["error"]["steps_done"] == 1);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 1u);
    BOOST_TEST(f.desktop.executed[0].kind == ActionKind::Click);
}

// pending_safety_checks: every step of the call goes to the gate carrying
// them (the gate escalates, policy/gate.cc); once a reviewer approved, the
// reply acknowledges exactly those checks.
BOOST_AUTO_TEST_CASE(openai_safety_checks_wait_for_a_reviewer_then_are_acknowledged) {
    ServerFixture f;
    f.desktop.browser_url = "https://ci.example/runs/7";
    f.gate.decide = [](const Proposal& p) {
        GateVerdict v;
        v.outcome = p.action.safety_checks.empty() ? GateVerdict::Outcome::Execute : GateVerdict::Outcome::Pending;
        v.rule = p.action.safety_checks.empty() ? "observe" : "openai:safety_check";
        v.approval_id = "A1";
        return v;
    };
    const Json pending = f.ask(R"({"type":"computer_call","id":"cu_2","call_id":"call_sc",
        "action":{"type":"click","button":"left","x":10,"y":10},
        "pending_safety_checks":[{"id":"cu_sc_1","code":"malicious_instructions","message":"The page asks otherwise."},
                                 {"id":"cu_sc_2","code":null,"message":null}],"status":"completed"})");
    BOOST_TEST(pending["pending"] == true);
    BOOST_TEST(pending["rule"] == "openai:safety_check");
    BOOST_TEST(f.desktop.executed.empty());
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 1u);
    BOOST_TEST((f.gate.proposals[0].action.safety_checks ==
                std::vector<SafetyCheck>{{"cu_sc_1", "malicious_instructions", "The page asks otherwise."},
                                         {"cu_sc_2", "", ""}}));
    f.gate.resolve(GateVerdict::Outcome::Execute);
    const Json reply = f.agent->line();
    BOOST_TEST(reply["ok"] == true, reply.dump());
    BOOST_TEST(reply["item"]["acknowledged_safety_checks"] ==
               Json::parse(R"([{"id":"cu_sc_1","code":"malicious_instructions","message":"The page asks otherwise."},
                               {"id":"cu_sc_2","code":null,"message":null}])"));
    BOOST_TEST(reply["item"]["output"]["current_url"] == "https://ci.example/runs/7");
    BOOST_TEST(f.gate.proposals.back().action.safety_checks.empty());  // the reply's own screenshot carries none
}

BOOST_AUTO_TEST_CASE(openai_safety_checks_denied_are_refused_and_never_acknowledged) {
    ServerFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Pending;
        v.approval_id = "A1";
        return v;
    };
    BOOST_TEST(f.ask(R"({"type":"computer_call","call_id":"c","action":{"type":"type","text":"x"},
        "pending_safety_checks":[{"id":"cu_sc_1","code":"irrelevant_domain","message":"m"}]})")["pending"] == true);
    f.gate.resolve(GateVerdict::Outcome::Refuse, "openai:safety_check");
    const Json reply = f.agent->line();
    BOOST_TEST(reply["error"]["code"] == "refused");
    BOOST_TEST(!reply.contains("item"));
    BOOST_TEST(f.desktop.executed.empty());
}

BOOST_AUTO_TEST_CASE(openai_batched_output_is_a_computer_screenshot) {
    ServerFixture f;
    const Json reply = f.ask(R"({"type":"computer_call","call_id":"c","actions":[{"type":"move","x":1,"y":1}]})");
    BOOST_TEST(reply["item"]["output"]["type"] ==
               "computer_screenshot");                             // ResponseComputerToolCallOutputScreenshotParam
    BOOST_TEST(!reply["item"]["output"].contains("current_url"));  // no browser focused
    BOOST_TEST(!reply["item"].contains("acknowledged_safety_checks"));
}

BOOST_AUTO_TEST_CASE(toolset_member_reply_and_malformed_member_error) {
    ServerFixture f;
    Json reply = f.ask(
        R"({"type":"tool_use","id":"toolu_9","name":"key","toolset_name":"computer","input":{"text":"Tab","repeat":2}})");
    BOOST_TEST(reply["tool_result"] ==
               Json::parse(R"({"type":"tool_result","tool_use_id":"toolu_9","toolset_name":"computer",
        "content":[{"type":"text","text":"Pressed Tab."}]})"));
    BOOST_TEST(f.desktop.executed.size() == 2u);
    reply = f.ask(
        R"({"type":"tool_use","id":"toolu_10","name":"key","toolset_name":"computer","input":{"text":"Tab","count":2}})");
    BOOST_TEST(reply["ok"] == false);
    BOOST_TEST(reply["error"]["code"] == "invalid_field");
    BOOST_TEST(reply["tool_result"]["is_error"] == true);
    BOOST_TEST(reply["tool_result"]["tool_use_id"] == "toolu_10");
    BOOST_TEST(reply["tool_result"]["toolset_name"] == "computer");
    BOOST_TEST(f.desktop.executed.size() == 2u);
}

BOOST_AUTO_TEST_CASE(pyautogui_runs_call_by_call_and_relative_moves_start_at_the_pointer) {
    ServerFixture f;
    f.desktop.cursor = Point{100, 100};
    const Json reply =
        f.ask(R"({"id":"py","code":"import pyautogui\npyautogui.moveRel(-10, 5)\npyautogui.click()\nDONE"})");
    BOOST_TEST(reply["ok"] == true, reply.dump());
    BOOST_TEST(reply["result"]["episode"] == "done");
    // The gate saw the absolute point, after the pointer was read.
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 3u);
    BOOST_TEST((f.gate.proposals[0].action.point == Point{90, 105}));
    BOOST_TEST(!f.gate.proposals[0].action.relative);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 3u);  // DONE ends the episode, nothing to display
    BOOST_TEST(f.desktop.executed[0].kind == ActionKind::CursorPosition);
    BOOST_TEST((f.desktop.executed[1].point == Point{90, 105}));
    BOOST_TEST(f.desktop.executed[2].kind == ActionKind::Click);

    // A drag given only its end (OSWorld DRAG_TO) starts at the pointer.
    const Json drag = f.ask(R"({"id":"d","action_type":"DRAG_TO","parameters":{"x":300,"y":310}})");
    BOOST_TEST(drag["ok"] == true, drag.dump());
    BOOST_TEST((f.gate.proposals.back().action.path == std::vector<Point>{{100, 100}, {300, 310}}));
    BOOST_TEST((f.desktop.executed.back().path == std::vector<Point>{{100, 100}, {300, 310}}));
    f.gate.proposals.pop_back();
    f.desktop.executed.resize(3);

    const Json refused = f.ask(R"J({"id":"bad","code":"pyautogui.click(1, 1)\nimport os\npyautogui.press('enter')"})J");
    BOOST_TEST(refused["error"]["code"] == "forbidden_construct");
    BOOST_TEST(f.gate.proposals.size() == 3u);  // nothing of it was proposed
    BOOST_TEST(f.desktop.executed.size() == 3u);
}

BOOST_AUTO_TEST_CASE(anthropic_screenshot_is_an_image_block) {
    ServerFixture f;
    const Json reply = f.ask(R"({"type":"tool_use","id":"toolu_1","name":"computer","input":{"action":"screenshot"}})");
    BOOST_TEST(reply["tool_result"]["tool_use_id"] == "toolu_1");
    const Json& block = reply["tool_result"]["content"][0];
    BOOST_TEST(block["type"] == "image");
    BOOST_TEST(block["source"]["type"] == "base64");
    BOOST_TEST(block["source"]["media_type"] == "image/png");
    BOOST_TEST(block["source"]["data"] == base64_encode("IMG"));
    const Json cursor = f.ask(R"({"action":"cursor_position"})");
    BOOST_TEST(cursor["tool_result"]["content"][0]["text"] == "X=10,Y=20");
}

BOOST_AUTO_TEST_CASE(deskbox_screenshot_passes_capture_options) {
    ServerFixture f;
    const Json reply = f.ask(R"({"id":2,"action":"screenshot","format":"jpeg","quality":50,"settle":true})");
    BOOST_TEST(reply["result"]["image"]["mime"] == "image/jpeg");
    BOOST_TEST(reply["result"]["image"]["width"] == 1280);
    BOOST_REQUIRE_EQUAL(f.desktop.captures.size(), 1u);
    BOOST_TEST(f.desktop.captures[0].jpeg_quality == 50);
    BOOST_TEST(f.desktop.captures[0].settle);
    const Json tree = f.ask(R"({"id":3,"action":"tree"})");
    BOOST_TEST(tree["result"]["data"]["role"] == "frame");
}

BOOST_AUTO_TEST_CASE(osworld_done_reports_episode_end) {
    ServerFixture f;
    const Json reply = f.ask(R"({"id":4,"action_type":"DONE"})");
    BOOST_TEST(reply["result"]["episode"] == "done");
    BOOST_TEST(f.gate.proposals.size() == 1u);
    BOOST_TEST(f.desktop.executed.empty());  // an episode marker, not something to display
    BOOST_REQUIRE_EQUAL(f.gate.results.size(), 1u);
    BOOST_TEST(f.gate.results[0].second == "done done");
}

BOOST_AUTO_TEST_CASE(executor_failure_is_reported_and_recorded) {
    ServerFixture f;
    f.desktop.fail_with = "X server went away";
    const Json reply = f.ask(R"({"id":5,"action":"type","text":"abc"})");
    BOOST_TEST(reply["error"]["code"] == "action_failed");
    BOOST_TEST(reply["error"]["message"] == "type failed: X server went away");
    BOOST_REQUIRE_EQUAL(f.gate.results.size(), 1u);
    BOOST_TEST(!f.gate.results[0].first);
}

BOOST_AUTO_TEST_CASE(malformed_requests_get_errors_and_nothing_runs) {
    ServerFixture f;
    BOOST_TEST(f.ask(R"({"id":"x","action":"left_click","coordinate":[5000,1]})")["error"]["code"] == "out_of_range");
    BOOST_TEST(f.ask(R"({"id":"x","action":"key","text":"ctrl+warp"})")["error"]["message"] == "unknown key 'warp'");
    BOOST_TEST(f.ask(R"({"id":"x","action":"fly"})")["error"]["code"] == "unknown_action");
    BOOST_TEST(f.ask("not json at all")["error"]["code"] == "invalid_json");
    BOOST_TEST(f.ask(std::string(5000, '{'))["error"]["code"] == "too_deep");
    const Json reply = f.ask(R"({"id":"x","action":"type","text":")" + std::string(1 << 20, 'a') + R"("})");
    BOOST_TEST(reply["error"]["code"] == "line_too_long");
    BOOST_TEST(f.gate.proposals.empty());
    BOOST_TEST(f.desktop.executed.empty());
    // Still healthy.
    BOOST_TEST(f.ask(R"({"id":"ok","action":"screenshot"})")["ok"] == true);
}

BOOST_AUTO_TEST_CASE(hold_key_is_key_down_timer_key_up_and_wait_is_a_timer) {
    ServerFixture f;
    const Json reply = f.ask(R"({"id":"h","action":"hold_key","text":"ctrl+shift","duration":0.01})");
    BOOST_TEST(reply["ok"] == true);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 2u);
    BOOST_TEST(f.desktop.executed[0].kind == ActionKind::KeyDown);
    BOOST_TEST(f.desktop.executed[1].kind == ActionKind::KeyUp);
    BOOST_TEST(f.desktop.executed[1].keys == (std::vector<std::string>{"Control_L", "Shift_L"}));
    BOOST_REQUIRE_EQUAL(f.gate.proposals.size(), 1u);  // one proposal: the gate sees hold_key as one key action
    BOOST_TEST((f.gate.proposals[0].action.duration == Millis(10)));
    BOOST_TEST(f.gate.results.size() == 1u);

    // wait runs on the loop: no executor call, but it passes the gate and is recorded.
    const Json waited = f.ask(R"({"id":"w","action":"wait","duration":0.01})");
    BOOST_TEST(waited["ok"] == true);
    BOOST_TEST(f.desktop.executed.size() == 2u);
    BOOST_TEST(f.gate.proposals.size() == 2u);
    BOOST_TEST(f.gate.results.size() == 2u);
}

}  // namespace
}  // namespace deskbox
