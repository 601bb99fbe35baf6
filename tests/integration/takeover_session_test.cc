// A reviewer takes control of a real session and hands it back: `deskbox run`
// on the bundled default manifest's app (zenity --text-info --editable) with
// review.takeover: true. Before the takeover, keys over the view's VNC do not
// reach the app; after `deskbox takeover` the reviewer's own VNC connection
// (takeover.sock, the one-time password) types into the app and moves the
// pointer while the agent's click is refused with session:taken_over; after
// `deskbox handback` the takeover's server is gone, the agent acts again and
// the view's VNC input goes nowhere again. Two more takeovers back to back,
// the last ended by the kill switch. The kept audit log names who started and ended each takeover.
// And `deskbox check` refuses view_only: false, pointing to takeover.
#define BOOST_TEST_MODULE deskbox takeover session tests
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"
#include "tests/integration/agent_probe.h"
#include "tests/integration/rfb_client.h"
#include "tests/integration/session_harness.h"
#include "xsession/vnc/vnc_password.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void type_over(RfbClient& rfb, const std::string& text) {
    for (char c : text) {
        rfb.key(static_cast<unsigned char>(c), true);
        rfb.key(static_cast<unsigned char>(c), false);
    }
    rfb.round_trip();  // the server has handled the keys
}

// Keys typed over the view-only VNC never reach the app: the agent's marker,
// typed after them (one X server, in order), is all that is added.
void view_input_goes_nowhere(AgentProbe& agent, const std::filesystem::path& session_dir, const std::string& round) {
    RfbClient view = RfbClient::unix_socket((session_dir / "vnc.sock").string());
    view.handshake(vnc_password_from_file_bytes(slurp(session_dir / "vnc.passwd")));
    const std::string before = agent.text();
    type_over(view, "viewer" + round);
    agent.call({{"action", "type"}, {"text", "agent" + round}});
    BOOST_TEST(agent.text_with("agent" + round) == before + "agent" + round);
}

// The reviewer's socket and password file from `deskbox takeover`'s output:
// "VNC with input, for you alone: xtigervncviewer -passwd FILE SOCKET".
std::pair<std::string, std::string> takeover_endpoint(const std::string& out) {
    const std::string lead = "xtigervncviewer -passwd ";
    const std::size_t at = out.find(lead);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, out);
    std::istringstream words(out.substr(at + lead.size()));
    std::string file, socket;
    words >> file >> socket;
    return {socket, file};
}

std::vector<Json> control_records(const std::filesystem::path& audit) {
    std::vector<Json> out;
    std::istringstream lines(slurp(audit));
    for (std::string line; std::getline(lines, line);) {
        const Json record = Json::parse(line);
        if (record["type"] == "control") out.push_back(record["data"]);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_reviewer_takes_control_and_hands_it_back) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-takeover";
    SessionProcess session(dirs, dirs.manifest(name, default_manifest_yaml(name, true)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    const std::filesystem::path session_dir = dirs.runtime() / name;
    AgentProbe agent((session_dir / "agent.sock").string());
    agent.wait_for_text_element();
    agent.call({{"action", "focus_element"}, {"role", "text"}});

    view_input_goes_nowhere(agent, session_dir, "1");
    const std::string before = agent.text();

    const auto [code, out] = run_deskbox(dirs, {"takeover", "-s", name, "--note", "fixing the form", "--password-file",
                                                (dirs.root() / "takeover.passwd").string()});
    BOOST_REQUIRE_MESSAGE(code == 0, out);
    const auto [socket, password_file] = takeover_endpoint(out);
    BOOST_TEST(socket == (session_dir / "takeover.sock").string());
    const std::string password = vnc_password_from_file_bytes(slurp(password_file));
    const auto [again_code, again_out] = run_deskbox(
        dirs, {"takeover", "-s", name, "--password-file", (dirs.root() / "takeover-again.passwd").string()});
    BOOST_TEST(again_code == 1, again_out);  // one reviewer at a time

    // The view's password does not open the takeover's server.
    BOOST_CHECK_THROW(
        RfbClient::unix_socket(socket).handshake(vnc_password_from_file_bytes(slurp(session_dir / "vnc.passwd"))),
        Error);
    RfbClient control = RfbClient::unix_socket(socket);
    control.handshake(password);
    type_over(control, "reviewer");
    control.pointer(21, 27, 0);
    control.round_trip();

    // Meanwhile the agent is refused, naming the takeover.
    const Json click = agent.call_raw({{"action", "left_click"}, {"coordinate", {100, 100}}});
    BOOST_TEST(!click.value("ok", false), click.dump());
    BOOST_TEST(click.dump().find("session:taken_over") != std::string::npos, click.dump());
    BOOST_TEST(session_status(dirs, name)["gate"]["taken_over"] == true);

    const auto [back_code, back_out] = run_deskbox(dirs, {"handback", "-s", name, "--note", "done"});
    BOOST_REQUIRE_MESSAGE(back_code == 0, back_out);
    BOOST_TEST(!std::filesystem::exists(socket));
    BOOST_CHECK_THROW(control.round_trip(), Error);  // its server is gone

    // What the reviewer did is in the app; the agent acts again.
    BOOST_TEST(agent.text() == before + "reviewer");
    BOOST_TEST((agent.cursor() == std::pair<int, int>{21, 27}));
    agent.call({{"action", "focus_element"}, {"role", "text"}});
    view_input_goes_nowhere(agent, session_dir, "2");

    // Back to back (a new takeover while the last one's x11vnc may still be exiting), the last one
    // ended by the kill switch.
    for (int round = 0; round < 2; ++round) {
        // A password file in the test's folder: the default (the caller's runtime
        // dir or home) may be the current folder, which is not the test's to fill.
        const auto [next_code, next_out] = run_deskbox(
            dirs, {"takeover", "-s", name, "--password-file", (dirs.root() / "takeover-next.passwd").string()});
        BOOST_REQUIRE_MESSAGE(next_code == 0, next_out);
        if (round == 0) BOOST_REQUIRE(run_deskbox(dirs, {"handback", "-s", name}).first == 0);
    }
    const auto [stop_code, stop_out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(stop_code == 0, stop_out);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());

    const auto audit = dirs.state() / name / "audit.jsonl";
    const auto [verify_code, verify_out] = run_deskbox(dirs, {"audit", "verify", audit.string()});
    BOOST_TEST(verify_code == 0, verify_out);
    const std::vector<Json> controls = control_records(audit);
    BOOST_REQUIRE_MESSAGE(controls.size() == 7u, slurp(audit));
    BOOST_TEST(controls[0]["action"] == "takeover.start");
    BOOST_TEST(controls[0]["by"]["user"] == "root");
    BOOST_TEST(controls[0]["note"] == "fixing the form");
    BOOST_TEST(controls[1]["action"] == "takeover.end");
    BOOST_TEST(controls[1]["reason"] == "handback");
    BOOST_TEST(controls[1]["by"]["user"] == "root");
    BOOST_TEST(controls[1]["taken_by"]["user"] == "root");
    BOOST_TEST(controls[2]["action"] == "takeover.start");
    BOOST_TEST(controls[3]["action"] == "takeover.end");
    BOOST_TEST(controls[4]["action"] == "takeover.start");
    BOOST_TEST(controls[5]["action"] == "stop");
    BOOST_TEST(controls[6]["action"] == "takeover.end");
    BOOST_TEST(controls[6]["reason"] == "stop");
    BOOST_TEST(slurp(audit).find(password) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(check_refuses_vnc_input_without_takeover) {
    TestDirs dirs;
    std::string yaml = default_manifest_yaml("it-view-only");
    yaml.replace(yaml.find("view_only: true"), 15, "view_only: false");
    const auto [code, out] = run_command({deskbox_bin(), "check", dirs.manifest("it-view-only", yaml).string()});
    BOOST_TEST(code == 2, out);
    BOOST_TEST(out.find("review.vnc.view_only: false would give every VNC viewer input that bypasses the gate and "
                        "the audit log; remove it and set review.takeover: true") != std::string::npos,
               out);
}
