#include "policy/budgets.h"

#include <boost/test/unit_test.hpp>

#include "policy/gate.h"
#include "tests/unit/policy/fakes.h"
#include "tests/unit/policy/test_policy.h"

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(budgets)

BOOST_AUTO_TEST_CASE(steps_run_out) {
    test::ManualClock clock;
    Budgets b(BudgetLimits{3, Millis(0), 0}, clock.clock());
    BOOST_TEST(!b.charge());
    BOOST_TEST(!b.charge());
    BOOST_TEST(!b.charge());
    const auto refusal = b.charge();
    BOOST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->rule == "budget:steps");
    BOOST_TEST(refusal->reason == "the session's budget of 3 steps is used up");
    BOOST_TEST(b.steps_used() == 3u);
}

BOOST_AUTO_TEST_CASE(wall_clock_runs_out) {
    test::ManualClock clock;
    Budgets b(BudgetLimits{0, Millis(60'000), 0}, clock.clock());
    BOOST_TEST(!b.charge());
    clock.now += 59'999;
    BOOST_TEST(!b.charge());
    clock.now += 1;
    const auto refusal = b.charge();
    BOOST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->rule == "budget:wall_clock");
    BOOST_TEST(refusal->reason == "the session's wall-clock budget of 1m is used up");
}

BOOST_AUTO_TEST_CASE(rate_limit_refuses_bursts_and_refills) {
    test::ManualClock clock;
    Budgets b(BudgetLimits{0, Millis(0), 5}, clock.clock());
    for (int i = 0; i < 5; ++i) BOOST_TEST(!b.charge());  // a burst up to the rate
    const auto refusal = b.charge();
    BOOST_REQUIRE(refusal.has_value());
    BOOST_TEST(refusal->rule == "budget:rate");
    BOOST_TEST(refusal->reason == "more than 5 actions per second; slow down and propose again");
    BOOST_TEST(refusal->retry_after_ms.value_or(-1) == 200);  // the bucket is empty: one token takes 200 ms at 5/s
    clock.now += 150;
    const auto early = b.charge();
    BOOST_REQUIRE(early.has_value());
    BOOST_TEST(early->retry_after_ms.value_or(-1) == 50);  // what is left of the wait, not the whole of it
    clock.now += 49;
    BOOST_TEST(b.charge().has_value());
    clock.now += 1;  // 200 ms at 5/s refills one token
    BOOST_TEST(!b.charge());
    BOOST_TEST(b.charge().has_value());
    BOOST_TEST(b.steps_used() == 6u);  // refused proposals consume nothing
}

BOOST_AUTO_TEST_CASE(slow_rates_allow_one_then_wait) {
    test::ManualClock clock;
    Budgets b(BudgetLimits{0, Millis(0), 0.5}, clock.clock());
    BOOST_TEST(!b.charge());
    clock.now += 1999;
    BOOST_TEST(b.charge().has_value());
    clock.now += 1;
    BOOST_TEST(!b.charge());
}

BOOST_AUTO_TEST_CASE(gate_refuses_with_the_budget_rule_before_any_rule) {
    const Policy p = test::ci_incident_policy();
    test::ManualClock clock;
    Gate gate(p, BudgetLimits{1, Millis(0), 0}, Millis(1000), clock.clock());
    Action shot;
    shot.kind = ActionKind::Screenshot;
    BOOST_TEST(gate.decide(shot, {}).decision == Decision::Allow);
    const auto d = gate.decide(shot, {});
    BOOST_TEST(d.decision == Decision::Deny);
    BOOST_TEST(d.rule == "budget:steps");
}

BOOST_AUTO_TEST_SUITE_END()
