// The manifest's host `verify` commands in real sessions: a command that never
// exits is killed (with everything it started) after its timeout, and neither
// it nor a reviewer's `deskbox verify` holds the kill switch: SIGTERM and
// `deskbox stop` still end the session, long before the command's own end.
// What a command prints is kept only up to its bound. The accessibility
// checks ask the app through the session's loop, mid-session and at the end.
#define BOOST_TEST_MODULE deskbox verify commands
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/control/agent_client.h"
#include "tests/integration/seed_session.h"
#include "tests/integration/session_harness.h"

using namespace deskbox::test;
using deskbox::AgentClient;
using Json = nlohmann::json;

namespace {

// The command's shell writes "its pid, its background child's pid" here, so the
// test learns that it runs (an event, not a sleep) and which processes must go.
class PidFifo {
public:
    explicit PidFifo(std::filesystem::path path) : path_(std::move(path)) {
        BOOST_REQUIRE(mkfifo(path_.c_str(), 0600) == 0);
        // Non-blocking open for reading: the writer's open then succeeds at once.
        fd_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        BOOST_REQUIRE(fd_ >= 0);
    }
    ~PidFifo() { close(fd_); }
    const std::filesystem::path& path() const { return path_; }
    // The pids written by the command (empty when nothing came within the timeout).
    std::vector<pid_t> read_pids(int timeout_ms) {
        std::string text;
        while (text.find('\n') == std::string::npos) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, timeout_ms) <= 0) return {};
            char buf[128];
            const ssize_t n = read(fd_, buf, sizeof buf);
            if (n <= 0) return {};
            text.append(buf, static_cast<std::size_t>(n));
        }
        std::istringstream in(text);
        std::vector<pid_t> pids;
        for (pid_t pid; in >> pid;) pids.push_back(pid);
        return pids;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

std::filesystem::path write_policy(const TestDirs& dirs) {
    const auto path = dirs.root() / "policy.yaml";
    std::ofstream(path) << "default: deny\nadmission: {host_commands: true}\n";
    return path;
}

// A session whose app idles; `checks` are its verify items.
std::filesystem::path manifest(const TestDirs& dirs, const std::string& name, const std::string& checks) {
    return dirs.manifest(name, "version: 1\nsession: {name: " + name +
                                   "}\n"
                                   "sandbox: {memory: 512M, pids: 128, home_size: 32M, tmp_size: 32M}\n"
                                   "network: {mode: none}\n"
                                   "apps:\n  - {name: idle, exec: [sleep, '1000']}\n"
                                   "policy: " +
                                   write_policy(dirs).string() +
                                   "\n"
                                   "review: {vnc: {enabled: false}}\n"
                                   "verify:\n" +
                                   checks);
}

// A check whose command never ends by itself: a shell that starts a
// background sleep, reports both pids through the fifo, and waits.
std::string hung_check(const PidFifo& fifo, const std::string& timeout) {
    return "  - command:\n"
           "      run: [sh, -c, 'sleep 1000 & echo $$ $! > " +
           fifo.path().string() +
           "; wait']\n"
           "      timeout: " +
           timeout + "\n";
}

std::vector<nlohmann::json> verification_records(const TestDirs& dirs, const std::string& name) {
    std::ifstream in(dirs.state() / name / "audit.jsonl");
    BOOST_REQUIRE_MESSAGE(in, "the kept audit log of " << name << " is missing");
    std::vector<nlohmann::json> records;
    for (std::string line; std::getline(in, line);) {
        auto record = nlohmann::json::parse(line);
        if (record["type"] == "verification") records.push_back(record["data"]);
    }
    const auto [code, out] = run_deskbox(dirs, {"audit", "verify", (dirs.state() / name / "audit.jsonl").string()});
    BOOST_TEST(code == 0, out);
    return records;
}

// The session ends (the command alone would run 1000 s), exits 3 (a check
// failed), and nothing of the command or the session is left.
void expect_ended_without_leftovers(SessionProcess& session, const TestDirs& dirs, const std::string& name,
                                    const std::vector<pid_t>& command_pids, const std::vector<std::string>& paths) {
    BOOST_TEST(session.wait_exit(120'000) == 3, session.output());
    BOOST_TEST(wait_pids_gone(command_pids, 15'000), "a process of the verify command is still running");
    BOOST_TEST(leftovers(dirs, name, paths).empty());
}

std::vector<std::string> cgroup_paths(const TestDirs& dirs, const std::string& name) {
    return session_status(dirs, name)["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
}

}  // namespace

// SIGTERM: the teardown's verification kills the hung command at its timeout;
// a command that prints megabytes passes with its output bounded in the record.
BOOST_AUTO_TEST_CASE(sigterm_ends_a_session_whose_verify_command_hangs_and_output_is_bounded) {
    if (!require_root()) return;
    TestDirs dirs;
    PidFifo fifo(dirs.root() / "pids");
    const std::string name = "it-verify-term";
    SessionProcess session(dirs,
                           manifest(dirs, name,
                                    "  - command: {run: [sh, -c, 'head -c 5000000 /dev/zero | tr \"\\\\0\" x']}\n" +
                                        hung_check(fifo, "2s")));
    BOOST_REQUIRE_MESSAGE(session.wait_for(" ready on display ", 60'000), session.output());
    const auto paths = cgroup_paths(dirs, name);

    session.signal(SIGTERM);
    const auto pids = fifo.read_pids(60'000);
    BOOST_REQUIRE_MESSAGE(pids.size() == 2, "the verify command did not start: " << session.output());
    expect_ended_without_leftovers(session, dirs, name, pids, paths);

    const auto records = verification_records(dirs, name);
    BOOST_REQUIRE_EQUAL(records.size(), 2u);
    BOOST_TEST(records[0]["passed"] == true, records[0].dump().substr(0, 300));
    BOOST_TEST(records[0]["output"].get<std::string>() == std::string(16384, 'x'));
    BOOST_TEST(records[0]["output_bytes"] == 5000000);
    BOOST_TEST(records[1]["passed"] == false);
    BOOST_TEST(contains(records[1]["detail"], "timed out after 2s"), records[1].dump());
}

// `deskbox stop`: the same, through the reviewer's kill switch.
BOOST_AUTO_TEST_CASE(deskbox_stop_ends_a_session_whose_verify_command_hangs) {
    if (!require_root()) return;
    TestDirs dirs;
    PidFifo fifo(dirs.root() / "pids");
    const std::string name = "it-verify-stop";
    SessionProcess session(dirs, manifest(dirs, name, hung_check(fifo, "2s")));
    BOOST_REQUIRE_MESSAGE(session.wait_for(" ready on display ", 60'000), session.output());
    const auto paths = cgroup_paths(dirs, name);

    const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(code == 0, out);
    const auto pids = fifo.read_pids(60'000);
    BOOST_REQUIRE_MESSAGE(pids.size() == 2, "the verify command did not start: " << session.output());
    expect_ended_without_leftovers(session, dirs, name, pids, paths);
    const auto records = verification_records(dirs, name);
    BOOST_REQUIRE_EQUAL(records.size(), 1u);
    BOOST_TEST(contains(records[0]["detail"], "timed out after 2s"), records[0].dump());
}

// A reviewer's `deskbox verify` runs a command with a 10 minute timeout: the
// session keeps answering, `deskbox stop` kills the command, and teardown
// does not start it again.
BOOST_AUTO_TEST_CASE(deskbox_stop_interrupts_a_reviewers_verify) {
    if (!require_root()) return;
    TestDirs dirs;
    PidFifo fifo(dirs.root() / "pids");
    const std::string name = "it-verify-review";
    SessionProcess session(dirs, manifest(dirs, name, hung_check(fifo, "10m")));
    BOOST_REQUIRE_MESSAGE(session.wait_for(" ready on display ", 60'000), session.output());
    const auto paths = cgroup_paths(dirs, name);

    int verify_out = -1;
    const pid_t verify = start_deskbox(dirs, {"verify", "-s", name}, &verify_out);
    const auto pids = fifo.read_pids(60'000);
    BOOST_REQUIRE_MESSAGE(pids.size() == 2, "the verify command did not start: " << session.output());
    // The loop is not held: status answers while the command runs.
    BOOST_TEST(session_status(dirs, name)["state"] == "running");
    const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(code == 0, out);
    const auto [verify_code, verify_text] = finish_child(verify, verify_out);
    BOOST_TEST(verify_code == 3, verify_text);
    BOOST_TEST(contains(verify_text, "interrupted: the session is stopping"), verify_text);

    expect_ended_without_leftovers(session, dirs, name, pids, paths);
    const auto records = verification_records(dirs, name);
    BOOST_REQUIRE_EQUAL(records.size(), 2u);
    BOOST_TEST(contains(records[0]["detail"], "interrupted: the session is stopping"), records[0].dump());
    BOOST_TEST(records[0].contains("requested_by"));
    BOOST_TEST(contains(records[1]["detail"], "not run: a stop request interrupted"), records[1].dump());
}

// A stop request during teardown's verification (the first one started the
// teardown) kills a command whose own timeout is 10 minutes away: by SIGTERM,
// and by a second `deskbox stop`.
BOOST_AUTO_TEST_CASE(a_second_stop_request_interrupts_the_teardown_verification) {
    if (!require_root()) return;
    for (const bool by_signal : {true, false}) {
        BOOST_TEST_CONTEXT((by_signal ? "SIGTERM" : "deskbox stop")) {
            TestDirs dirs;
            PidFifo fifo(dirs.root() / "pids");
            const std::string name = "it-verify-again";
            SessionProcess session(dirs, manifest(dirs, name, hung_check(fifo, "10m")));
            BOOST_REQUIRE_MESSAGE(session.wait_for(" ready on display ", 60'000), session.output());
            const auto paths = cgroup_paths(dirs, name);
            auto stop = [&] {
                if (by_signal) return session.signal(SIGTERM);
                const auto [code, out] = run_deskbox(dirs, {"stop", "-s", name});
                BOOST_TEST(code == 0, out);
            };
            stop();
            const auto pids = fifo.read_pids(60'000);
            BOOST_REQUIRE_MESSAGE(pids.size() == 2, "the verify command did not start: " << session.output());
            stop();
            expect_ended_without_leftovers(session, dirs, name, pids, paths);
            const auto records = verification_records(dirs, name);
            BOOST_REQUIRE_EQUAL(records.size(), 1u);
            BOOST_TEST(contains(records[0]["detail"], "interrupted: the session is stopping"), records[0].dump());
        }
    }
}

// `a11y` checks ask the accessibility helper through the session's loop (its
// lookups), the same way a reviewer's `deskbox verify` and the end's checks
// do: both see zenity's OK button and no button that is not there. The end's
// checks run while the session is stopping; they once failed there, every
// one, because the helper's wait gave up as soon as a stop was known.
BOOST_AUTO_TEST_CASE(a11y_checks_see_the_apps_elements_mid_session_and_at_the_end) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-verify-a11y";
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "default: deny\nrules:\n  - {name: look, when: {action: [tree]}, tier: low}\n";
    const std::string yaml = "version: 1\nsession: {name: " + name +
                             "}\n"
                             "sandbox: {memory: 1G, pids: 256}\n"
                             "network: {mode: none}\n"
                             "apps:\n"
                             "  - name: entry\n"
                             "    exec: [zenity, --entry, --title, Quarterly numbers]\n"
                             "    ready: {title: Quarterly numbers}\n"
                             "policy: " +
                             policy.string() +
                             "\n"
                             "review: {vnc: {enabled: false}}\n"
                             "verify:\n"
                             "  - a11y: {role: push button, name: OK}\n"
                             "  - a11y: {role: push button, name: Launch the rockets, present: false}\n"
                             "  - a11y: {role: push button, name: Launch the rockets}\n";
    SessionProcess session(dirs, dirs.manifest(name, yaml));
    BOOST_REQUIRE_MESSAGE(session.wait_for(" ready on display ", 120'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    wait_for_element(agent, "push button", "OK");  // the app is in the accessibility tree

    const std::vector<bool> expected = {true, true, false};
    const auto [code, out] = run_deskbox(dirs, {"verify", "-s", name, "--json"});
    BOOST_TEST(code == 3, out);
    const Json results = nlohmann::json::parse(out)["results"];
    BOOST_REQUIRE_EQUAL(results.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        BOOST_TEST(results[i]["passed"].get<bool>() == expected[i], i << ": " << results[i].dump());
    BOOST_TEST(results[0]["detail"] == "1 matching element(s)", results[0].dump());
    BOOST_TEST(results[1]["detail"] == "0 matching element(s)", results[1].dump());

    const auto [stop_code, stop_out] = run_deskbox(dirs, {"stop", "-s", name});
    BOOST_TEST(stop_code == 0, stop_out);
    BOOST_TEST(session.wait_exit(60'000) == 3, session.output());  // the third check fails, as it should
    const auto records = verification_records(dirs, name);
    BOOST_REQUIRE_EQUAL(records.size(), 2 * expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& at_end = records[expected.size() + i];
        BOOST_TEST(at_end["passed"].get<bool>() == expected[i], "at the end, " << i << ": " << at_end.dump());
        BOOST_TEST(at_end["detail"] == results[i]["detail"], "at the end, " << i << ": " << at_end.dump());
    }
}
