// The Python client (clients/python) and its example agent loops against a
// real session: each loop runs with recorded model responses
// (clients/python/tests/live_examples.py checks what it gave the model back),
// and what the recorded model asked for must show in real X state: the code
// typed into zenity's GTK entry and submitted with Return, which zenity prints.
#define BOOST_TEST_MODULE deskbox python client tests
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

// Everything on the policy's allow: what waits for a reviewer does so because
// of the request itself (OpenAI safety checks).
const char* kPolicy =
    "version: 1\ndefault: allow\ntiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}\n";

// Runs one example loop in a session showing a zenity entry and checks what zenity printed.
void run_example(const std::string& example, const std::string& expected_text) {
    TestDirs dirs;
    const std::string name = "py-" + example;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kPolicy;
    // `sleep` keeps the session up after zenity exits, so the reply to Return is not raced by the end.
    const std::string manifest = "session: {name: " + name +
                                 ", display: {width: 1024, height: 768}}\n"
                                 "apps:\n"
                                 "  - {name: entry, exec: [zenity, --entry, --title, " +
                                 name +
                                 ", --text, 'Type here'],"
                                 " ready: {title: " +
                                 name +
                                 ", timeout: 60s}}\n"
                                 "  - {name: keepalive, exec: [sleep, infinity]}\n"
                                 "policy: " +
                                 policy.string() +
                                 "\n"
                                 "review: {vnc: {enabled: false}}\n";
    SessionProcess session(dirs, dirs.manifest(name, manifest));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    const char* source = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE_MESSAGE(source, "DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    const std::string client = std::string(source) + "/clients/python";
    const auto [code, out] =
        run_command({"env", "PYTHONPATH=" + client + "/src", "DESKBOX_RUNTIME_DIR=" + dirs.runtime().string(),
                     "DESKBOX_STATE_DIR=" + dirs.state().string(), "DESKBOX_BIN=" + deskbox_bin(), "python3",
                     client + "/tests/live_examples.py", example, name});
    BOOST_TEST(code == 0, out);

    // zenity prints the entry's text when Return submits it, then exits 0.
    BOOST_TEST(session.wait_for("[" + name + "] " + expected_text + "\n", 30'000), session.output());
    BOOST_TEST(session.wait_for("app entry exited with status 0", 30'000), session.output());
    const auto [stop_code, stop_out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(stop_code == 0, stop_out);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}

}  // namespace

BOOST_AUTO_TEST_CASE(anthropic_toolset_loop_types_into_a_real_entry) {
    if (!require_root()) return;
    run_example("anthropic", "PY-TOOLSET-4711");
}

BOOST_AUTO_TEST_CASE(openai_loop_waits_for_the_reviewer_and_types_into_a_real_entry) {
    if (!require_root()) return;
    run_example("openai", "PY-OPENAI-2718");
}
