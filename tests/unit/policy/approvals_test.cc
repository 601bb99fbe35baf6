#include "policy/approvals.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/unit/policy/fakes.h"

using namespace deskbox;

namespace {

struct Recorded {
    std::vector<std::pair<PendingApproval, ApprovalResolution>> done;
    ApprovalQueue::Done callback() {
        return [this](const PendingApproval& p, const ApprovalResolution& r) { done.emplace_back(p, r); };
    }
};

struct QueueFixture {
    test::ManualClock clock;
    test::ManualTimers timers{clock};
    ApprovalQueue queue{timers, clock.clock()};
    Recorded seen;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(approvals, QueueFixture)

BOOST_AUTO_TEST_CASE(approve_records_who_and_note) {
    const std::string a = queue.add("deploy controls", {{"action", "click"}}, Millis(60'000), seen.callback());
    const std::string b = queue.add("incident updates", {}, Millis(60'000), seen.callback());
    BOOST_TEST(a == "A1");
    BOOST_TEST(b == "A2");
    BOOST_TEST(queue.next_id() == "A3");
    const auto listed = queue.list();
    BOOST_REQUIRE(listed.size() == 2u);
    BOOST_TEST(listed[0].id == "A1");
    BOOST_TEST(listed[0].rule == "deploy controls");
    BOOST_TEST(listed[0].deadline_ms - listed[0].created_ms == 60'000);

    clock.now += 1500;
    queue.approve("A1", Reviewer{1000, 4242, "alice"}, "checked the run");
    BOOST_REQUIRE(seen.done.size() == 1u);
    const auto& [p, r] = seen.done[0];
    BOOST_TEST(p.id == "A1");
    BOOST_TEST(r.approved);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.by.user == "alice");
    BOOST_TEST(r.by.uid == 1000);
    BOOST_TEST(r.by.pid == 4242);
    BOOST_TEST(r.note == "checked the run");
    BOOST_TEST(r.at_ms - p.created_ms == 1500);
    BOOST_TEST(queue.size() == 1u);
    BOOST_TEST(timers.armed() == 1u);  // A1's timeout was cancelled

    queue.deny("a2", Reviewer{0, 1, "root"}, "");
    BOOST_TEST(seen.done.size() == 2u);
    BOOST_TEST(!seen.done[1].second.approved);
    BOOST_TEST(queue.size() == 0u);
}

BOOST_AUTO_TEST_CASE(timeout_denies) {
    queue.add("deploy controls", {}, Millis(300'000), seen.callback());
    timers.advance(Millis(299'999));
    BOOST_TEST(seen.done.empty());
    timers.advance(Millis(1));
    BOOST_REQUIRE(seen.done.size() == 1u);
    const auto& r = seen.done[0].second;
    BOOST_TEST(!r.approved);
    BOOST_TEST(r.timed_out);
    BOOST_TEST(r.by.user == "timeout");
    BOOST_TEST(r.note == "no reviewer answered within 5m");
    BOOST_TEST(queue.size() == 0u);
    // Answering after the timeout is an error, not a second outcome.
    BOOST_CHECK_EXCEPTION(queue.approve("A1", Reviewer{}, ""), Error,
                          [](const Error& e) { return std::string(e.what()) == "no pending approval 'A1'"; });
    BOOST_TEST(seen.done.size() == 1u);
}

BOOST_AUTO_TEST_CASE(unknown_ids_are_errors) {
    for (const char* id : {"A9", "B1", "", "A", "A1x", "A99999999999999999999"})
        BOOST_CHECK_THROW(queue.deny(id, Reviewer{}, ""), Error);
}

BOOST_AUTO_TEST_CASE(deny_all_on_stop) {
    queue.add("r", {}, Millis(1000), seen.callback());
    queue.add("r", {}, Millis(1000), seen.callback());
    queue.deny_all(Reviewer{0, 7, "root"}, "stopped");
    BOOST_TEST(seen.done.size() == 2u);
    BOOST_TEST(seen.done[1].second.note == "stopped");
    BOOST_TEST(timers.armed() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
