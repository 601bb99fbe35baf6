// Host verify commands: bounded output, timeouts and interruption kill the
// whole process group, and how a result is judged and described. Real host
// processes on a real event loop (no privileges needed).
#include "supervisor/session/host_command.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/session/verify.h"

using namespace deskbox;

namespace {

HostCommandResult run(const std::vector<std::string>& argv, Millis timeout = Millis(30'000),
                      std::size_t max_output = 64 << 10, std::function<bool()> interrupted = {}) {
    EventLoop loop;
    HostCommandOptions o;
    o.timeout = timeout;
    o.max_output = max_output;
    o.interrupted = std::move(interrupted);
    return run_host_command(loop, argv, o);
}

// Whether `pid` ends (a zombie counts: its new parent may not reap it) within 10 s.
bool ends(pid_t pid) {
    const UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) return errno == ESRCH;
    pollfd p{fd.get(), POLLIN, 0};
    return poll(&p, 1, 10'000) == 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_command)

BOOST_AUTO_TEST_CASE(bounded_output_keeps_the_head_and_counts_all) {
    BoundedOutput out(5);
    out.append("abc", 3);
    BOOST_TEST(!out.truncated());
    out.append("defgh", 5);
    out.append("ij", 2);
    BOOST_TEST(out.kept() == "abcde");
    BOOST_TEST(out.total() == 10u);
    BOOST_TEST(out.truncated());
}

BOOST_AUTO_TEST_CASE(exit_status_and_output_of_both_streams) {
    const auto r = run({"sh", "-c", "echo out; echo err >&2; exit 4"});
    BOOST_TEST((r.end == HostCommandResult::End::Exited));
    BOOST_TEST(WEXITSTATUS(r.wait_status) == 4);
    BOOST_TEST(r.output == "out\nerr\n");
    BOOST_TEST(describe_host_command_end(r) == "exited with status 4");
}

BOOST_AUTO_TEST_CASE(output_beyond_the_bound_is_counted_not_kept) {
    const auto r = run({"sh", "-c", "head -c 1000000 /dev/zero"}, Millis(30'000), 1000);
    BOOST_TEST(WEXITSTATUS(r.wait_status) == 0);
    BOOST_TEST(r.output.size() == 1000u);
    BOOST_TEST(r.output_bytes == 1'000'000u);
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_process_group) {
    // The background sleep would keep the pipe open and outlive its shell.
    const auto r = run({"sh", "-c", "sleep 1000 & echo $!; wait"}, Millis(300));
    BOOST_TEST((r.end == HostCommandResult::End::TimedOut));
    BOOST_TEST(describe_host_command_end(r) == "timed out after 300ms");
    const pid_t background = std::stoi(r.output);
    BOOST_TEST(ends(background));
}

BOOST_AUTO_TEST_CASE(interruption_kills_the_command) {
    int asked = 0;
    const auto r = run({"sleep", "1000"}, Millis(600'000), 1000, [&asked] { return ++asked > 2; });
    BOOST_TEST((r.end == HostCommandResult::End::Interrupted));
    BOOST_TEST(WIFSIGNALED(r.wait_status));
    BOOST_TEST(describe_host_command_end(r) == "interrupted: the session is stopping");
}

BOOST_AUTO_TEST_CASE(a_missing_program_is_an_error_naming_it) {
    BOOST_CHECK_EXCEPTION(run({"deskbox-no-such-program"}), Error, [](const Error& e) {
        return std::string(e.what()).find("deskbox-no-such-program") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(judging_a_command_check) {
    VerifyCheck check;
    check.kind = VerifyCheck::Kind::Command;
    check.expect_exit = 1;
    HostCommandResult r;
    r.wait_status = 1 << 8;  // exited with 1
    r.output = "abc";
    r.output_bytes = 3;
    nlohmann::json record;
    BOOST_TEST(judge_command(check, r, record));
    BOOST_TEST(record["detail"] == "exited with status 1, expected exit status 1");
    BOOST_TEST(record["output"] == "abc");
    BOOST_TEST(!record.contains("output_bytes"));

    r.end = HostCommandResult::End::TimedOut;
    r.timeout = Millis(5000);
    r.output_bytes = 10;
    nlohmann::json timed_out;
    BOOST_TEST(!judge_command(check, r, timed_out));
    BOOST_TEST(timed_out["detail"] == "timed out after 5s, expected exit status 1");
    BOOST_TEST(timed_out["output_bytes"] == 10);
}

BOOST_AUTO_TEST_SUITE_END()
