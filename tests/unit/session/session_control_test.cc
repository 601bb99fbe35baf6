// SessionControl, what every part shares with the runtime: the first reason
// to stop wins, later requests only count (a running verify command watches
// the count), a callback's exception ends the session with exit code 1 and
// its error, and teardown problems fail the session.
#include "supervisor/session/session_control.h"

#include <boost/test/unit_test.hpp>
#include <stdexcept>

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(session_control)

BOOST_AUTO_TEST_CASE(the_first_reason_to_stop_wins_and_later_ones_count) {
    SessionControl control("s", [] {});
    BOOST_TEST(!control.stopping());
    control.request_stop("received SIGTERM");
    control.request_stop("stopped by a reviewer", 1);
    BOOST_TEST(control.stopping());
    BOOST_TEST(control.reason() == "received SIGTERM");
    BOOST_TEST(control.exit_code() == 0);  // the second request's code does not apply
    BOOST_TEST(control.stop_requests() == 2u);
}

BOOST_AUTO_TEST_CASE(a_failing_callback_ends_the_loop_with_its_error) {
    int writes = 0;
    SessionControl control("s", [&writes] { ++writes; });
    control.loop().post([] { throw std::runtime_error("disk full"); });
    control.loop().run_until([&control] { return control.stopping(); });
    BOOST_TEST(control.stopping());
    BOOST_TEST(control.reason() == "internal error: disk full");
    BOOST_TEST(control.error() == "disk full");
    BOOST_TEST(control.exit_code() == 1);
    // A later error is reported, not a new reason.
    control.fail_internally("second");
    BOOST_TEST(control.reason() == "internal error: disk full");
    control.status_changed();
    BOOST_TEST(writes == 1);
}

BOOST_AUTO_TEST_CASE(problems_fail_the_session_and_exit_codes_only_rise) {
    SessionControl control("s", [] {});
    control.fail_with(3);
    control.fail_with(1);
    BOOST_TEST(control.exit_code() == 3);
    SessionControl other("t", [] {});
    other.add_problem("sandbox: cgroup busy");
    BOOST_TEST(other.exit_code() == 1);
    BOOST_TEST(other.problems().size() == 1u);
    other.set_reason_if_none("stopped");
    BOOST_TEST(other.reason() == "stopped");
}

BOOST_AUTO_TEST_SUITE_END()
