// Reviewers watch a real session over VNC: `deskbox run` on the bundled
// default manifest's app (zenity --text-info --editable), then the checker
// (vnc_check.cc) with real clients through both endpoints the status hint
// names, several times in a row and two at once, compared with the agent's
// screenshot; view-only input never reaches the app (takeover_session_test.cc
// shows the same observation seeing a reviewer's input arrive).
#define BOOST_TEST_MODULE deskbox vnc session tests
#include <signal.h>

#include <boost/test/unit_test.hpp>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

void check_reviewer_view(const std::string& name) {
    if (!require_root()) return;
    TestDirs dirs;
    SessionProcess session(dirs, dirs.manifest(name, default_manifest_yaml(name)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    // The hint `deskbox status` prints names both endpoints.
    const auto [code, text] = run_deskbox(dirs, {"status", "-s", name});
    BOOST_TEST(code == 0, text);
    const std::string session_dir = (dirs.runtime() / name).string();
    BOOST_TEST(text.find("vnc: vncviewer -passwd " + session_dir + "/vnc.passwd 127.0.0.1::") != std::string::npos,
               text);
    BOOST_TEST(text.find("; or xtigervncviewer -passwd " + session_dir + "/vnc.passwd " + session_dir + "/vnc.sock") !=
                   std::string::npos,
               text);

    const auto [check_code, check_out] = run_command({vnc_check_bin(), session_dir + "/status.json"});
    BOOST_TEST_MESSAGE(check_out);
    BOOST_TEST(check_code == 0, check_out);
    // No connection was dropped on the supervisor's side either.
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    BOOST_TEST(session.output().find("VNC connection dropped") == std::string::npos, session.output());
}

}  // namespace

BOOST_AUTO_TEST_CASE(reviewers_watch_the_default_session_view_only_through_both_endpoints) {
    check_reviewer_view("it-vnc");
}
