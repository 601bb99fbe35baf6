// run_verify_checks' `a11y` checks with a scripted search (the logic only; the
// verify-session integration test asks a real app through a real session):
// a match or its absence is judged as the manifest says, and a search the
// helper cut short never counts as "absent", since it cannot show that.
#include <boost/test/unit_test.hpp>
#include <functional>
#include <stdexcept>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/session/verify.h"

using namespace deskbox;

namespace {

VerifyCheck a11y_check(bool present) {
    VerifyCheck c;
    c.kind = VerifyCheck::Kind::A11y;
    c.role = "push button";
    c.name = "OK";
    c.present = present;
    c.line = 7;
    return c;
}

// The helper's answer: `matches` elements, cut short or not.
a11y::FindResult found(std::size_t matches, bool truncated = false) {
    a11y::FindResult r;
    r.matches.resize(matches);
    r.truncated = truncated;
    if (truncated) r.truncated_reason = "the walk reached its 2000-element limit";
    return r;
}

nlohmann::json judge(const VerifyCheck& check, std::function<a11y::FindResult(const ElementTarget&)> find) {
    VerifyEnvironment env;
    env.find_elements = std::move(find);
    const VerifyOutcome outcome = run_verify_checks({check}, env);
    BOOST_REQUIRE_EQUAL(outcome.results.size(), 1u);
    BOOST_TEST(outcome.passed == outcome.results[0]["passed"].get<bool>());
    return outcome.results[0];
}

bool contains(const nlohmann::json& detail, const std::string& needle) {
    return detail.get<std::string>().find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(verify_a11y_checks)

BOOST_AUTO_TEST_CASE(asks_for_the_role_and_name_and_judges_presence) {
    ElementTarget asked;
    const auto r = judge(a11y_check(true), [&asked](const ElementTarget& t) {
        asked = t;
        return found(1);
    });
    BOOST_TEST(asked.role == "push button");
    BOOST_TEST(asked.name == "OK");
    BOOST_TEST(r["passed"] == true, r.dump());
    BOOST_TEST(r["detail"] == "1 matching element(s)");
    BOOST_TEST(r["line"] == 7);
    BOOST_TEST(judge(a11y_check(true), [](const ElementTarget&) { return found(0); })["passed"] == false);
    BOOST_TEST(judge(a11y_check(false), [](const ElementTarget&) { return found(0); })["passed"] == true);
    BOOST_TEST(judge(a11y_check(false), [](const ElementTarget&) { return found(2); })["passed"] == false);
}

BOOST_AUTO_TEST_CASE(a_search_cut_short_never_shows_an_absence) {
    for (const bool present : {false, true}) {
        BOOST_TEST_CONTEXT("present: " << present) {
            const auto r = judge(a11y_check(present), [](const ElementTarget&) { return found(0, true); });
            BOOST_TEST(r["passed"] == false, r.dump());
            BOOST_TEST(contains(r["detail"], "cut short (the walk reached its 2000-element limit)"), r.dump());
            BOOST_TEST(contains(r["detail"], "cannot tell"), r.dump());
        }
    }
    // A match it did find is still a match; for an absence it is a failure anyway.
    BOOST_TEST(judge(a11y_check(true), [](const ElementTarget&) { return found(1, true); })["passed"] == true);
    BOOST_TEST(judge(a11y_check(false), [](const ElementTarget&) { return found(1, true); })["passed"] == false);
}

BOOST_AUTO_TEST_CASE(no_accessibility_or_no_answer_fails_with_the_reason) {
    const auto none = judge(a11y_check(false), {});
    BOOST_TEST(none["passed"] == false);
    BOOST_TEST(none["detail"] == "accessibility is not available in this session");
    const auto timed_out = judge(a11y_check(false), [](const ElementTarget&) -> a11y::FindResult {
        throw Error("a11y helper: no reply within 4000 ms");
    });
    BOOST_TEST(timed_out["passed"] == false);
    BOOST_TEST(timed_out["detail"] == "a11y helper: no reply within 4000 ms");
}

BOOST_AUTO_TEST_CASE(an_internal_error_fails_only_its_own_check) {
    VerifyEnvironment env;
    int asked = 0;
    env.find_elements = [&asked](const ElementTarget&) -> a11y::FindResult {
        if (++asked == 1) throw std::logic_error("a fault of our own");
        return found(1);
    };
    const VerifyOutcome outcome = run_verify_checks({a11y_check(true), a11y_check(true)}, env);
    BOOST_REQUIRE_EQUAL(outcome.results.size(), 2u);
    BOOST_TEST(outcome.results[0]["passed"] == false);
    BOOST_TEST(outcome.results[0]["detail"] == "a fault of our own");
    BOOST_TEST(outcome.results[1]["passed"] == true, outcome.results[1].dump());
    BOOST_TEST(outcome.passed == false);
}

BOOST_AUTO_TEST_SUITE_END()
