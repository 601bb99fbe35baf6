#include "supervisor/control/review_server.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <thread>

#include "supervisor/audit/audit_timeline.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/control/agent_request.h"
#include "supervisor/control/base64.h"
#include "supervisor/control/protocol_error.h"
#include "tests/unit/audit/temp_dir.h"
#include "tests/unit/policy/fakes.h"
#include "tests/unit/policy/test_policy.h"

using namespace deskbox;

namespace {

class DeployButton : public GateContextProvider {
public:
    GateContext context_for(const Action&) override {
        GateContext c;
        c.window = FocusedWindow{"Chromium", "CI"};
        c.domain = "ci.example";
        c.target = TargetElement{"push button", "Rerun deploy", box};
        return c;
    }
    std::optional<Rect> box;  // where it is on screen, when a test needs it
};

struct ReviewFixture {
    test::TempDir dir;
    Policy policy = test::ci_incident_policy();
    EventLoop loop;
    EventLoopTimers timers{loop};
    Gate gate{policy, BudgetLimits{}, Millis(60'000)};
    ApprovalQueue approvals{timers, system_monotonic_clock()};
    AuditLog log{dir / "audit.jsonl"};
    DeployButton context;
    AuditedGate audited{gate, approvals, log, context};
    std::vector<GateVerdict> decided;

    void propose_click() {
        Action a;
        a.kind = ActionKind::Click;
        a.point = Point{640, 400};
        audited.propose(
            Proposal{a, Dialect::Anthropic, ""}, [](const GateVerdict&) {},
            [this](const GateVerdict& v) { decided.push_back(v); });
    }

    // Runs `client` on a thread while the loop serves the socket.
    void with_client(const std::function<void()>& client) {
        std::atomic<bool> done{false};
        std::string failure;
        std::thread t([&] {
            try {
                client();
            } catch (const std::exception& e) {
                failure = e.what();
            }
            done = true;
            loop.post([] {});
        });
        while (!done) loop.run_once(Millis(10'000));
        t.join();
        BOOST_TEST(failure.empty(), failure);
    }
};

// A gate whose approvals' pictures answer later, as the session's do (its
// password lookup waits on the loop): the test answers them by hand.
struct DeferredPictureGate {
    DeployButton boxed;
    std::optional<Rect> asked_box;
    AuditedGateOptions::ScreenshotDone answer_picture;
    AuditedGate gate;

    explicit DeferredPictureGate(ReviewFixture& f)
        : gate{f.gate, f.approvals, f.log, boxed, options_answered_later(*this)} {
        boxed.box = Rect{10, 20, 30, 40};
    }
    // Proposes a click on the boxed button; the verdict lands in `decided`.
    void propose_click(std::vector<GateVerdict>& decided) {
        Action a;
        a.kind = ActionKind::Click;
        a.point = Point{25, 40};
        gate.propose(
            Proposal{a, Dialect::Anthropic, ""}, [](const GateVerdict&) {},
            [&decided](const GateVerdict& v) { decided.push_back(v); });
    }

private:
    static AuditedGateOptions options_answered_later(DeferredPictureGate& self) {
        AuditedGateOptions options;
        options.approval_screenshot = [&self](const std::optional<Rect>& box, AuditedGateOptions::ScreenshotDone done) {
            self.asked_box = box;
            self.answer_picture = std::move(done);
        };
        return options;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(review_server, ReviewFixture)

BOOST_AUTO_TEST_CASE(reviewer_lists_and_approves_over_the_socket) {
    const std::string path = (dir / "review.sock").string();
    ReviewServer server(loop, path, audited, ReviewAccess{0600, std::nullopt});
    struct stat st {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    propose_click();
    BOOST_TEST(decided.empty());
    Json listed, approved, unknown, paused;
    with_client([&] {
        AgentClient client(path);
        listed = client.call({{"id", 1}, {"type", "approvals"}});
        approved = client.call({{"id", 2}, {"type", "approve"}, {"approval", "A1"}, {"note", "checked"}});
        unknown = client.call({{"id", 3}, {"type", "deny"}, {"approval", "A1"}});
        paused = client.call({{"type", "pause"}});
    });
    BOOST_TEST(listed["ok"] == true);
    BOOST_TEST(listed["id"] == 1);
    BOOST_REQUIRE(listed["approvals"].size() == 1u);
    BOOST_TEST(listed["approvals"][0]["id"] == "A1");
    BOOST_TEST(listed["approvals"][0]["rule"] == "deploy controls");
    BOOST_TEST(listed["approvals"][0]["proposal"]["target"]["name"] == "Rerun deploy");
    BOOST_TEST(approved["ok"] == true);
    BOOST_TEST(unknown["ok"] == false);
    BOOST_TEST(unknown["error"]["code"] == "not_found");
    BOOST_TEST(unknown["error"]["message"] == "no pending approval 'A1'");
    BOOST_TEST(paused["ok"] == true);
    BOOST_TEST(audited.paused());

    BOOST_REQUIRE(decided.size() == 1u);
    BOOST_TEST((decided[0].outcome == GateVerdict::Outcome::Execute));
    // The approval names the peer as SO_PEERCRED saw it: this process.
    const std::string text = test::slurp(dir / "audit.jsonl");
    BOOST_TEST(text.find("\"uid\":" + std::to_string(getuid())) != std::string::npos);
    BOOST_TEST(text.find("\"pid\":" + std::to_string(getpid())) != std::string::npos);
    BOOST_TEST(text.find("\"note\":\"checked\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_requests_get_clear_errors) {
    const ReviewerIdentity who{0, 1, "root"};
    auto code = [&](const Json& request) {
        return handle_review_request(audited, request, who)["error"]["code"].get<std::string>();
    };
    BOOST_TEST(code({{"type", "approve"}}) == "bad_request");
    BOOST_TEST(code({{"type", "approve"}, {"approval", 7}}) == "bad_request");
    BOOST_TEST(code({{"type", "stop"}, {"note", std::string(5000, 'x')}}) == "bad_request");
    BOOST_TEST(code({{"kind", "approvals"}}) == "bad_request");
    BOOST_TEST(code({{"type", "rm -rf"}}) == "unknown_type");
    const Json status = handle_review_request(audited, {{"type", "status"}}, who);
    BOOST_TEST(status["status"]["paused"] == false);
}

// takeover answers with what the session's hook returns (only to the one who
// asked); a second one, and a handback of nothing, say why they are refused.
BOOST_AUTO_TEST_CASE(takeover_and_handback_over_the_socket) {
    const ReviewerIdentity who{0, 1, "root"};
    BOOST_TEST(handle_review_request(audited, {{"type", "takeover"}}, who)["error"]["message"] ==
               "this session's manifest does not allow takeover (review.takeover: true)");
    audited.on_takeover([](const Reviewer&) { return Json{{"socket", "/s/takeover.sock"}, {"password", "p"}}; }, [] {});
    const Json taken = handle_review_request(audited, {{"type", "takeover"}, {"note", "mine"}, {"id", 4}}, who);
    BOOST_TEST(taken["ok"] == true, taken.dump());
    BOOST_TEST(taken["id"] == 4);
    BOOST_TEST(taken["takeover"]["socket"] == "/s/takeover.sock");
    BOOST_TEST(handle_review_request(audited, {{"type", "takeover"}}, who)["error"]["code"] == "failed");
    BOOST_TEST(handle_review_request(audited, {{"type", "status"}}, who)["status"]["taken_over"] == true);
    BOOST_TEST(handle_review_request(audited, {{"type", "handback"}}, who)["ok"] == true);
    BOOST_TEST(handle_review_request(audited, {{"type", "handback"}}, who)["error"]["message"] ==
               "the session is not taken over");
}

BOOST_AUTO_TEST_CASE(only_root_owner_or_the_review_group_may_review) {
    PeerCredentials stranger{123, 54321, 54321};
    BOOST_TEST(!reviewer_allowed(stranger, ReviewAccess{0600, std::nullopt}));
    BOOST_TEST(reviewer_allowed(stranger, ReviewAccess{0660, 54321}));  // primary group is the review group
    BOOST_TEST(reviewer_allowed(PeerCredentials{1, 0, 0}, ReviewAccess{}));
    BOOST_TEST(reviewer_allowed(PeerCredentials{1, geteuid(), 99999}, ReviewAccess{}));
}

BOOST_AUTO_TEST_CASE(the_agent_protocol_has_no_review_requests) {
    for (const char* type : {"approve", "deny", "pause", "resume", "stop", "approvals", "takeover", "handback"}) {
        BOOST_TEST_INFO(type);
        BOOST_CHECK_THROW(parse_agent_request({{"type", type}, {"approval", "A1"}}, CoordinateSpace{1280, 800}),
                          ProtocolError);
    }
}

// The kill switch's path: while the loop's thread is inside a blocking step
// (an accessibility query) it serves only urgent sources. The reviewer's
// socket is one; everything else (agent sockets, posted work, other fds)
// waits, so nothing re-enters the step. An approval answered from there runs
// its action later, from the loop.
BOOST_AUTO_TEST_CASE(review_requests_are_served_from_inside_a_blocking_step_and_nothing_else_is) {
    const std::string path = (dir / "review.sock").string();
    test::TempDir other;
    AuditedGateOptions options;
    options.run_later = [this](std::function<void()> work) { loop.post(std::move(work)); };
    AuditLog log2{other / "audit.jsonl"};
    ApprovalQueue approvals2{timers, system_monotonic_clock()};
    AuditedGate gate2{gate, approvals2, log2, context, options};
    ReviewServer server(loop, path, gate2, ReviewAccess{0600, std::nullopt});
    Action a;
    a.kind = ActionKind::Click;
    a.point = Point{640, 400};
    gate2.propose(
        Proposal{a, Dialect::Anthropic, ""}, [](const GateVerdict&) {},
        [this](const GateVerdict& v) { decided.push_back(v); });

    // A non-urgent source that is ready the whole time.
    bool other_ran = false;
    int pipe_fds[2];
    BOOST_REQUIRE(pipe(pipe_fds) == 0);
    BOOST_REQUIRE(write(pipe_fds[1], "x", 1) == 1);
    loop.add_fd(pipe_fds[0], EPOLLIN, [&](std::uint32_t) { other_ran = true; });

    std::atomic<bool> done{false};
    Json approved, paused;
    std::thread client([&] {
        AgentClient c(path);
        approved = c.call({{"type", "approve"}, {"approval", "A1"}});
        paused = c.call({{"type", "pause"}});
        done = true;
    });
    // The blocking step: waits on the urgent fd only, as the a11y wait hook does.
    BOOST_TEST(!loop.in_urgent_wait());
    const std::int64_t deadline = monotonic_ms() + 20'000;
    while (!done && monotonic_ms() < deadline) {
        pollfd p{loop.urgent_fd(), POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) loop.dispatch_urgent();
    }
    client.join();
    BOOST_TEST(done.load());
    BOOST_TEST(approved["ok"] == true);
    BOOST_TEST(paused["ok"] == true);
    BOOST_TEST(gate2.paused());
    BOOST_TEST(!other_ran);       // the ordinary fd waited
    BOOST_TEST(decided.empty());  // the approved action did not run inside the step

    // Back in the loop: the posted action finds the session paused and is held,
    // and runs at resume.
    loop.run_once(Millis(100));
    BOOST_TEST(other_ran);
    BOOST_TEST(decided.empty());
    gate2.resume(Reviewer{});
    loop.run_once(Millis(100));
    BOOST_REQUIRE(decided.size() == 1u);
    BOOST_TEST((decided[0].outcome == GateVerdict::Outcome::Execute));
    loop.remove_fd(pipe_fds[0]);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

BOOST_AUTO_TEST_CASE(a_front_end_names_the_reviewer_and_shows_the_observation) {
    DeferredPictureGate later{*this};
    AuditedGate& console_gate = later.gate;
    later.propose_click(decided);
    auto& answer_picture = later.answer_picture;
    auto& asked_box = later.asked_box;
    const ReviewerIdentity peer{0, 1, "root"};
    auto call = [&](const Json& request) { return handle_review_request(console_gate, request, peer); };

    // Listed at once; a request for the picture waits until it is answered.
    BOOST_REQUIRE(answer_picture);
    const Json listed = call({{"type", "approvals"}})["approvals"];
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0]["screenshot"] == "taking");
    const Json early = call({{"type", "observation"}, {"approval", "A1"}});
    BOOST_TEST(early["observation"]["png_base64"] == "");
    BOOST_TEST(early["observation"]["error"].get<std::string>().find("still being taken") != std::string::npos);
    int ready_calls = 0;
    console_gate.when_observation_ready("A1", [&] { ++ready_calls; });
    BOOST_TEST(ready_calls == 0);
    BOOST_REQUIRE(asked_box);
    answer_picture("PNG bytes with a box at " + std::to_string(asked_box->x), "");
    BOOST_TEST(ready_calls == 1);
    BOOST_TEST(call({{"type", "approvals"}})["approvals"][0]["screenshot"] == "taken");
    console_gate.when_observation_ready("A1", [&] { ++ready_calls; });  // answered: at once
    BOOST_TEST(ready_calls == 2);

    const Json seen = call({{"type", "observation"}, {"approval", "A1"}});
    BOOST_TEST(seen["ok"] == true, seen.dump());
    BOOST_TEST(seen["observation"]["png_base64"] == base64_encode("PNG bytes with a box at 10"));
    BOOST_TEST(seen["observation"]["box"] == Json({{"x", 10}, {"y", 20}, {"width", 30}, {"height", 40}}));

    // A channel without a person is refused; a name too long as well.
    const Json unnamed = call({{"type", "approve"}, {"approval", "A1"}, {"via", "console"}});
    BOOST_TEST(unnamed["error"]["message"] == "via: given without reviewer");
    const Json overlong = call({{"type", "approve"}, {"approval", "A1"}, {"reviewer", std::string(65, 'a')}});
    BOOST_TEST(overlong["error"]["message"] == "reviewer: longer than 64 bytes");

    const Json approved = call({{"type", "approve"}, {"approval", "A1"}, {"reviewer", "alice"}, {"via", "console"}});
    BOOST_TEST(approved["ok"] == true, approved.dump());
    BOOST_REQUIRE(decided.size() == 1u);
    BOOST_TEST(decided[0].reason == "approved by reviewer alice via console");
    // Resolved: the picture is gone with the approval; a late answer changes nothing.
    BOOST_TEST(call({{"type", "observation"}, {"approval", "A1"}})["error"]["code"] == "not_found");
    answer_picture("late", "");
    BOOST_TEST(call({{"type", "observation"}, {"approval", "A1"}})["error"]["code"] == "not_found");

    const Json paused = call({{"type", "pause"}, {"reviewer", "alice"}, {"via", "console"}, {"note", "lunch"}});
    BOOST_TEST(paused["ok"] == true);
    const Json audit = call({{"type", "audit"}, {"last", 2}});
    BOOST_REQUIRE_MESSAGE(audit["ok"] == true, audit.dump());
    BOOST_TEST(audit["audit"]["verification"]["ok"] == true, audit.dump());
    BOOST_REQUIRE(audit["audit"]["records"].size() == 2u);
    const Json& control = audit["audit"]["records"][1];
    BOOST_TEST(control["type"] == "control");
    BOOST_TEST(control["data"]["by"]["reviewer"] == "alice");
    BOOST_TEST(control["data"]["by"]["via"] == "console");
    BOOST_TEST(summarize_audit_record(control) == "pause by alice via console [as root (uid 0, pid 1)]: lunch");
    BOOST_TEST(call({{"type", "audit"}, {"last", -1}})["error"]["message"] == "last: expected a count");
}

// A reviewer's request for a picture still being taken is answered (not
// found) when the approval is decided first; the picture's late answer
// changes nothing.
BOOST_AUTO_TEST_CASE(a_request_waiting_for_a_picture_is_answered_when_its_approval_is_decided) {
    DeferredPictureGate later{*this};
    AuditedGate& console_gate = later.gate;
    later.propose_click(decided);
    auto& answer_picture = later.answer_picture;
    int ready_calls = 0;
    console_gate.when_observation_ready("A1", [&] { ++ready_calls; });
    BOOST_TEST(ready_calls == 0);
    const ReviewerIdentity peer{0, 1, "root"};
    BOOST_TEST(handle_review_request(console_gate, {{"type", "deny"}, {"approval", "A1"}}, peer)["ok"] == true);
    BOOST_TEST(ready_calls == 1);
    const Json gone = handle_review_request(console_gate, {{"type", "observation"}, {"approval", "A1"}}, peer);
    BOOST_TEST(gone["error"]["code"] == "not_found");
    BOOST_REQUIRE(answer_picture);
    answer_picture("late", "");
    BOOST_TEST(ready_calls == 1);
}

BOOST_AUTO_TEST_SUITE_END()
