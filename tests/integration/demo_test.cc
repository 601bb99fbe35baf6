// `deskbox demo` end to end: the CI-incident example with its scripted agent
// and reviewer must exit 0, and each of the seeds' six scenarios is asserted
// here from the kept audit log (whose hash chain must verify), not from the
// demo's own printout.
#define BOOST_TEST_MODULE deskbox demo
#include <boost/test/unit_test.hpp>
#include <string>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_demo_runs_the_six_seed_scenarios_and_its_audit_log_shows_them) {
    if (!require_root()) return;
    TestDirs dirs;
    const auto [code, out] = run_deskbox(dirs, {"demo"});
    BOOST_TEST_REQUIRE(code == 0, out);

    const auto audit = dirs.state() / "ci-incident" / "audit.jsonl";
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", audit.string()});
    BOOST_TEST(verify_code == 0, verify_out);
    const auto [show_code, timeline] = run_deskbox(dirs, {"audit", "show", audit.string()});
    BOOST_TEST_REQUIRE(show_code == 0, timeline);

    // 1. The read-only lookup ran without a reviewer.
    BOOST_TEST(contains(timeline, "allow by rule 'ci lookup' (tier medium)"), timeline);
    // 2. The incident update waited for the reviewer and ran on the same target.
    BOOST_TEST(contains(timeline, "approve by rule 'incident updates+taint' (tier high)"), timeline);
    BOOST_TEST(contains(timeline, "target unchanged"), timeline);
    // 3. The unrelated domain: the proxy refused the page, the gate the click on it.
    BOOST_TEST(contains(timeline, "status.other.example:8765 deny"), timeline);
    BOOST_TEST(contains(timeline, "deny by rule 'other sites'"), timeline);
    // 4. The injected instruction tainted the session; the rerun waited and the reviewer refused it.
    BOOST_TEST(contains(timeline, "session tainted: tree text matched"), timeline);
    BOOST_TEST(contains(timeline, "approve by rule 'deploy controls+taint' (tier high)"), timeline);
    BOOST_TEST(contains(timeline, "denied by root"), timeline);
    // 5. Two buttons of one name: the click by name was refused.
    BOOST_TEST(contains(timeline, "click_element push button 'Failed tests'"), timeline);
    BOOST_TEST(contains(timeline, "deny by rule 'context:unavailable'"), timeline);
    // 6. Closing another team's incident failed the final verification.
    BOOST_TEST(contains(timeline, "FAILED: command curl"), timeline);
    BOOST_TEST(contains(timeline, "exit code 3"), timeline);
    // The reviewer says what it is.
    BOOST_TEST(contains(timeline, "approved by root"), timeline);
    BOOST_TEST(contains(timeline, "scripted reviewer (deskbox demo): "), timeline);
    // The password typed into the sign-in form is not in the log.
    BOOST_TEST(!contains(timeline, "ci-demo-pass"), timeline);
    // The screenshots the session took were kept beside the log.
    BOOST_TEST(std::filesystem::is_directory(dirs.state() / "ci-incident" / "screenshots"));
}
