// AuditedGate: approvals bound to their target, takeover, and proposals
// parked while their screen context is read.
#include "tests/unit/audit/audited_gate_fixture.h"

using namespace deskbox;
using namespace deskbox::audited_gate_test;

BOOST_FIXTURE_TEST_SUITE(bound_approvals, GateFixture)

BOOST_AUTO_TEST_CASE(an_approved_click_runs_when_the_target_is_unchanged) {
    context.next = browser("ci.example", TargetElement{"push button", "Rerun deploy", Rect{600, 390, 80, 20}, {}});
    propose(click_at(640, 400));
    BOOST_REQUIRE(answers.pending.size() == 1u);
    audited.approve("A1", Reviewer{1000, 1, "alice"}, "");
    BOOST_REQUIRE(answers.decided.size() == 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Execute));
    const auto check = records("target_check").at(0);
    BOOST_TEST(check["outcome"] == "unchanged");
    // The context was read at proposal time and again right before running.
    BOOST_TEST(context.asked.size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_approved_click_is_refused_when_the_button_was_swapped) {
    context.next = browser("ci.example", TargetElement{"push button", "Rerun deploy", Rect{600, 390, 80, 20}, {}});
    propose(click_at(640, 400));
    context.next.target->name = "Delete pipeline";
    audited.approve("A1", Reviewer{1000, 1, "alice"}, "");
    BOOST_REQUIRE(answers.decided.size() == 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Refuse));
    BOOST_TEST(answers.decided[0].rule == "target_changed");
    BOOST_TEST(answers.decided[0].reason.find("\"Rerun deploy\"") != std::string::npos, answers.decided[0].reason);
    const auto check = records("target_check").at(0);
    BOOST_TEST(check["outcome"] == "target_changed");
    BOOST_TEST(check["approved"]["target"]["name"] == "Rerun deploy");
    BOOST_TEST(check["now"]["target"]["name"] == "Delete pipeline");
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

// The re-check reads the screen on the loop (an app may take seconds to
// answer): a stop meanwhile refuses the approved click at once, and the late
// answer is dropped.
BOOST_AUTO_TEST_CASE(a_stop_refuses_an_approved_click_whose_target_is_read_again) {
    const Reviewer alice{1000, 1, "alice"};
    context.next = browser("ci.example", TargetElement{"push button", "Rerun deploy", Rect{600, 390, 80, 20}, {}});
    propose(click_at(640, 400));
    context.defer = true;
    audited.approve("A1", alice, "");
    BOOST_REQUIRE_EQUAL(context.waiting.size(), 1u);
    BOOST_TEST(answers.decided.empty());
    audited.stop(alice, "enough");
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Refuse));
    BOOST_TEST(answers.decided[0].rule == "session:stopped");
    context.answer(context.next);  // too late
    BOOST_TEST(answers.decided.size() == 1u);
    BOOST_TEST(records("target_check").empty());
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

// A pause that comes while the target is read again holds the click; on
// resume the target is read once more, right before it runs.
BOOST_AUTO_TEST_CASE(a_pause_during_the_re_check_holds_the_click_and_resume_checks_again) {
    const Reviewer alice{1000, 1, "alice"};
    context.next = browser("ci.example", TargetElement{"push button", "Rerun deploy", Rect{600, 390, 80, 20}, {}});
    propose(click_at(640, 400));
    context.defer = true;
    audited.approve("A1", alice, "");
    BOOST_REQUIRE_EQUAL(context.waiting.size(), 1u);
    audited.pause(alice, "a look first");
    context.answer(context.next);
    BOOST_TEST(answers.decided.empty());  // held
    audited.resume(alice);
    BOOST_REQUIRE_EQUAL(context.waiting.size(), 1u);  // read again
    context.answer(context.next);
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Execute));
    BOOST_TEST(records("target_check").size() == 2u);
}

// A re-check that cannot read the screen refuses: unknown is never allow.
BOOST_AUTO_TEST_CASE(a_re_check_that_cannot_read_the_screen_refuses) {
    context.next = browser("ci.example", TargetElement{"push button", "Rerun deploy", Rect{600, 390, 80, 20}, {}});
    propose(click_at(640, 400));
    context.defer = true;
    audited.approve("A1", Reviewer{1000, 1, "alice"}, "");
    context.answer(GateContext{}, "the accessibility helper timed out after 4s");
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST(answers.decided[0].rule == "target_changed");
    BOOST_TEST(answers.decided[0].reason.find("could not be read again: the accessibility helper timed out") !=
                   std::string::npos,
               answers.decided[0].reason);
}

BOOST_AUTO_TEST_CASE(text_typed_where_focus_is_unknown_is_not_recorded_by_default) {
    GateContext c;
    c.window = FocusedWindow{"XTerm", "bash", "xterm", 0x600003, 42, "terminal"};
    c.unreadable["target"] = "the focused element in window 'XTerm' is not known";
    context.next = c;
    Action type;
    type.kind = ActionKind::Type;
    type.text = "hunter2";
    propose(type);
    const std::string text = audit_text();
    BOOST_TEST(text.find("hunter2") == std::string::npos);
    const auto proposal = records("proposal").at(0);
    BOOST_TEST(proposal["focus"] == "unknown");
    BOOST_TEST(proposal["action"]["text"] == "[NOT RECORDED: focus unknown]");
    BOOST_TEST(proposal["action"]["text_length"] == 7);
}

BOOST_AUTO_TEST_CASE(keys_into_a_protected_field_are_not_recorded) {
    context.next = browser("ci.example", TargetElement{"entry", "PIN", {}, {"focused", "protected"}});
    Action key;
    key.kind = ActionKind::Key;
    key.keys = {"4", "2"};
    propose(key);
    const auto proposal = records("proposal").at(0);
    BOOST_TEST(proposal["action"]["keys"] == "[NOT RECORDED: password field]");
    BOOST_TEST(proposal["action"]["keys_count"] == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(takeover, GateFixture)

// Takeover: refused unless the session offers it; while a reviewer has
// control the agent is refused and approved actions wait; handback releases
// them; start and end are audited with who, before input starts and after it stops.
BOOST_AUTO_TEST_CASE(takeover_refuses_the_agent_until_handback) {
    const Reviewer alice{1001, 7, "alice", "alice", "console"}, bob{1002, 8, "bob"};
    BOOST_CHECK_EXCEPTION(audited.takeover(alice), Error, [](const Error& e) {
        return std::string(e.what()) == "this session's manifest does not allow takeover (review.takeover: true)";
    });
    std::vector<std::string> events;
    audited.on_takeover(
        [&](const Reviewer& by) {
            // The start is on disk before the reviewer gets any input.
            events.push_back("start " + by.reviewer + " after " + std::to_string(records("control").size()) +
                             " record");
            return Json{{"socket", "/run/x/takeover.sock"}, {"password", "pw"}};
        },
        [&] { events.push_back("end after " + std::to_string(records("control").size()) + " records"); });

    context.next = browser("ci.example", TargetElement{"push button", "Deploy", {}});
    propose(click_at(1, 1));  // pending A1
    const Json access = audited.takeover(alice, "fixing the form");
    BOOST_TEST(access["socket"] == "/run/x/takeover.sock");
    BOOST_TEST(audited.taken_over());
    BOOST_TEST(audited.status_json()["taken_over_by"]["reviewer"] == "alice");
    BOOST_CHECK_EXCEPTION(audited.takeover(bob), Error, [](const Error& e) {
        return std::string(e.what()) == "reviewer alice via console already has control of the session";
    });

    propose(click_at(2, 2));
    BOOST_TEST(answers.decided.at(0).rule == "session:taken_over");
    BOOST_TEST(answers.decided.at(0).reason ==
               "reviewer alice via console has taken control of the session; propose again after they hand it back");
    audited.approve("A1", bob, "");
    BOOST_TEST(answers.decided.size() == 1u);  // approved, but held while taken over

    audited.handback(bob, "done");
    BOOST_TEST(!audited.taken_over());
    BOOST_TEST((answers.decided.at(1).outcome == Outcome::Execute));
    BOOST_CHECK_EXCEPTION(audited.handback(bob), Error,
                          [](const Error& e) { return std::string(e.what()) == "the session is not taken over"; });
    BOOST_TEST(events == (std::vector<std::string>{"start alice after 1 record", "end after 1 records"}));

    const auto controls = records("control");
    BOOST_REQUIRE(controls.size() == 2u);
    BOOST_TEST(controls[0]["action"] == "takeover.start");
    BOOST_TEST(controls[0]["by"]["reviewer"] == "alice");
    BOOST_TEST(controls[0]["by"]["via"] == "console");
    BOOST_TEST(controls[0]["note"] == "fixing the form");
    BOOST_TEST(controls[1]["action"] == "takeover.end");
    BOOST_TEST(controls[1]["by"]["user"] == "bob");
    BOOST_TEST(controls[1]["taken_by"]["reviewer"] == "alice");
    BOOST_TEST(controls[1]["reason"] == "handback");
    BOOST_TEST(audit_text().find("\"pw\"") == std::string::npos);  // the password is never logged
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

// A paused session stays paused after a handback; the kill switch ends a takeover.
BOOST_AUTO_TEST_CASE(stop_during_takeover_ends_it_and_pause_outlives_it) {
    const Reviewer root{0, 1, "root"};
    int ended = 0;
    audited.on_takeover([](const Reviewer&) { return Json::object(); }, [&] { ++ended; });
    context.next = browser("ci.example", TargetElement{"push button", "Deploy", {}});
    propose(click_at(1, 1));  // pending A1
    audited.takeover(root);
    audited.pause(root);
    audited.approve("A1", root, "");
    audited.handback(root);
    BOOST_TEST(answers.decided.empty());  // still paused: held
    audited.resume(root);
    BOOST_TEST((answers.decided.at(0).outcome == Outcome::Execute));

    audited.takeover(root);
    bool stopped = false;
    audited.on_stop([&] { stopped = true; });
    audited.stop(root, "kill switch");
    BOOST_TEST(stopped);
    BOOST_TEST(ended == 2);
    BOOST_TEST(!audited.taken_over());
    const auto controls = records("control");
    BOOST_TEST(controls[controls.size() - 2]["action"] == "stop");  // the kill switch is on disk first
    BOOST_TEST(controls.back()["action"] == "takeover.end");
    BOOST_TEST(controls.back()["reason"] == "stop");
    BOOST_CHECK_EXCEPTION(audited.takeover(root), Error,
                          [](const Error& e) { return std::string(e.what()) == "the session was stopped"; });
}

BOOST_AUTO_TEST_SUITE_END()

// A proposal whose screen context is read on the loop (an app's accessibility
// answer may take seconds) is parked: nothing is audited or answered until the
// context arrives; an unknown or failed lookup refuses as a blocking read
// did; a stop or pause refuses the parked proposal at once, audited, and its
// late context is dropped.
BOOST_FIXTURE_TEST_SUITE(parked_proposals, GateFixture)

BOOST_AUTO_TEST_CASE(a_parked_proposal_goes_on_through_the_gate_with_its_context) {
    context.defer = true;
    propose(click_at(10, 10));
    BOOST_TEST(answers.decided.empty());
    BOOST_TEST(audited.parked() == 1u);
    BOOST_TEST(records("proposal").empty());  // audited with its context, once it is known
    context.answer(browser("ci.example", TargetElement{"link", "Failed tests", {}}));
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Execute));
    BOOST_TEST(answers.decided[0].rule == "ci lookup");
    BOOST_TEST(records("proposal").at(0)["target"]["name"] == "Failed tests");
    BOOST_TEST(audited.parked() == 0u);
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

BOOST_AUTO_TEST_CASE(others_are_decided_while_one_is_parked) {
    context.defer = true;
    propose(click_at(10, 10));
    propose(click_at(20, 20));
    context.waiting.push_back(std::move(context.waiting.front()));  // the second lookup answers first
    context.waiting.pop_front();
    context.answer(browser("ci.example", TargetElement{"link", "Build 7", {}}));
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST(records("proposal").at(0)["action"]["point"].dump() == "[20,20]");  // the second one
    BOOST_TEST(answers.decided[0].proposal_id == "P1");                            // numbered in the log's order
    context.answer(browser("ci.example", TargetElement{"link", "Build 8", {}}));
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 2u);
    BOOST_TEST(records("proposal").at(1)["action"]["point"].dump() == "[10,10]");
    BOOST_TEST(answers.decided[1].proposal_id == "P2");
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

BOOST_AUTO_TEST_CASE(a_target_lookup_that_timed_out_is_refused_naming_the_target) {
    context.defer = true;
    propose(click_at(10, 10));
    GateContext c = browser("ci.example", std::nullopt);
    c.unreadable["target"] = "a11y helper: no reply within 4000 ms";
    context.answer(c);
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Refuse));  // unknown is never allow
    BOOST_TEST(answers.decided[0].rule == "context:unavailable");
    BOOST_TEST(answers.decided[0].reason.find("target") != std::string::npos, answers.decided[0].reason);
    BOOST_TEST(answers.decided[0].reason.find("no reply within 4000 ms") != std::string::npos,
               answers.decided[0].reason);
    BOOST_TEST(records("decision").at(0)["unreadable_field"] == "target");
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

BOOST_AUTO_TEST_CASE(a_failed_lookup_refuses) {
    context.defer = true;
    propose(click_at(10, 10));
    context.answer(GateContext{}, "a11y helper: exited (its output pipe closed)");
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST(answers.decided[0].rule == "context:unavailable");
    BOOST_TEST(records("proposal").at(0)["context_error"] == "a11y helper: exited (its output pipe closed)");
}

BOOST_AUTO_TEST_CASE(stop_refuses_the_parked_proposal_at_once_and_drops_its_late_context) {
    context.defer = true;
    propose(click_at(10, 10));
    bool ended = false;
    audited.on_stop([&] {
        ended = true;
        // The session ends right after: the refusal must already be out.
        BOOST_TEST(answers.decided.size() == 1u);
    });
    audited.stop(Reviewer{0, 1, "root"}, "kill switch");
    BOOST_TEST(ended);
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST((answers.decided[0].outcome == Outcome::Refuse));
    BOOST_TEST(answers.decided[0].rule == "session:stopped");
    BOOST_TEST(records("proposal").size() == 1u);
    BOOST_TEST(records("decision").at(0)["rule"] == "session:stopped");
    context.answer(browser("ci.example", TargetElement{"link", "Failed tests", {}}));  // the app answers late
    BOOST_TEST(answers.decided.size() == 1u);
    BOOST_TEST(records("decision").size() == 1u);
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

BOOST_AUTO_TEST_CASE(pause_refuses_the_parked_proposal) {
    context.defer = true;
    propose(click_at(10, 10));
    audited.pause(Reviewer{0, 1, "root"});
    BOOST_REQUIRE_EQUAL(answers.decided.size(), 1u);
    BOOST_TEST(answers.decided[0].rule == "session:paused");
    context.answer(browser("ci.example", std::nullopt));
    BOOST_TEST(answers.decided.size() == 1u);
    propose(click_at(20, 20));  // while paused nothing is looked up
    BOOST_TEST(context.waiting.empty());
    BOOST_TEST(answers.decided.at(1).rule == "session:paused");
    BOOST_TEST(verify_audit_text(audit_text()).ok);
}

BOOST_AUTO_TEST_SUITE_END()
