// `deskbox act` and `deskbox screenshot` (the real executable, $DESKBOX_BIN)
// against an agent server with recording fakes, found the way sessions are
// found (DESKBOX_RUNTIME_DIR/NAME/agent.sock).
#include <fcntl.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_server.h"
#include "tests/unit/control/fakes.h"

extern char** environ;

namespace deskbox {
namespace {

struct CliResult {
    int exit_code = -1;
    std::string out;
};

struct CliFixture {
    std::filesystem::path runtime;
    EventLoop loop;
    test::FakeExecutor desktop;
    test::FakeGate gate;
    std::unique_ptr<AgentServer> server;

    CliFixture() {
        char tmpl[] = "/tmp/deskbox-cli-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("mkdtemp");
        runtime = tmpl;
        std::filesystem::create_directory(runtime / "demo");
        setenv("DESKBOX_RUNTIME_DIR", runtime.c_str(), 1);
        AgentServer::Options options;
        options.socket_path = (runtime / "demo" / "agent.sock").string();
        server = std::make_unique<AgentServer>(
            loop, desktop, gate, [] { return Json::object(); }, options);
    }
    ~CliFixture() {
        server.reset();
        std::filesystem::remove_all(runtime);
    }

    // Runs deskbox with `args`, serving its requests on the loop meanwhile.
    // `while_running` is called after each loop round (e.g. to resolve approvals).
    CliResult run(std::vector<std::string> args, const std::function<void()>& while_running = {}) {
        const char* bin = std::getenv("DESKBOX_BIN");
        BOOST_REQUIRE_MESSAGE(bin, "DESKBOX_BIN is not set (run through meson test)");
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) != 0) throw_errno("pipe");
        UniqueFd read_end(pipefd[0]), write_end(pipefd[1]);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
        std::vector<char*> argv{const_cast<char*>(bin)};
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid;
        const int rc = posix_spawn(&pid, bin, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) throw_errno("spawning deskbox", rc);
        write_end.reset();
        CliResult result;
        bool eof = false;
        loop.add_fd(read_end.get(), EPOLLIN, [&](std::uint32_t) {
            char buf[65536];
            const ssize_t n = read(read_end.get(), buf, sizeof buf);
            if (n <= 0)
                eof = true;
            else
                result.out.append(buf, static_cast<std::size_t>(n));
        });
        while (!eof) {
            loop.run_once(Millis(10'000));
            if (while_running) while_running();
        }
        loop.remove_fd(read_end.get());
        int status = 0;
        waitpid(pid, &status, 0);
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return result;
    }
};

BOOST_AUTO_TEST_CASE(act_prints_the_reply_and_exits_zero) {
    CliFixture f;
    const CliResult r = f.run({"act", "-s", "demo", R"({"action":"left_click","coordinate":[3,4]})"});
    BOOST_TEST(r.exit_code == 0);
    const Json reply = Json::parse(r.out);
    BOOST_TEST(reply["id"] == "cli");
    BOOST_TEST(reply["ok"] == true);
    BOOST_REQUIRE_EQUAL(f.desktop.executed.size(), 1u);
}

BOOST_AUTO_TEST_CASE(act_exits_one_on_refusal_and_error) {
    CliFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Refuse;
        v.rule = "deny-all";
        return v;
    };
    CliResult r = f.run({"act", "-s", "demo", R"({"id":"x","type":"type","text":"hi"})"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(Json::parse(r.out)["error"]["code"] == "refused");
    r = f.run({"act", "-s", "demo", R"({"action":"key","text":"nope+nope"})"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(Json::parse(r.out)["error"]["code"] == "unknown_key");
    r = f.run({"act", "-s", "demo", "[1,2"});
    BOOST_TEST(r.exit_code == 64);
}

BOOST_AUTO_TEST_CASE(act_waits_through_a_pending_approval) {
    CliFixture f;
    f.gate.decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Pending;
        v.approval_id = "ap-9";
        return v;
    };
    const CliResult r =
        f.run({"act", "-s", "demo", "-q", R"({"action_type":"PRESS","parameters":{"key":"enter"}})"}, [&] {
            if (!f.gate.waiting.empty()) f.gate.resolve(GateVerdict::Outcome::Execute);
        });
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(Json::parse(r.out)["ok"] == true);
    BOOST_TEST(f.desktop.executed.size() == 1u);
}

BOOST_AUTO_TEST_CASE(screenshot_writes_the_image_file) {
    CliFixture f;
    const std::string file = (f.runtime / "shot.jpg").string();
    const CliResult r = f.run({"screenshot", "-s", "demo", "-o", file, "--format", "jpeg", "--settle"});
    BOOST_TEST(r.exit_code == 0);
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(bytes == "IMG");
    BOOST_REQUIRE_EQUAL(f.desktop.captures.size(), 1u);
    BOOST_TEST(f.desktop.captures[0].format == "jpeg");
    BOOST_TEST(f.desktop.captures[0].settle);
}

BOOST_AUTO_TEST_CASE(unreachable_session_is_a_clear_failure) {
    CliFixture f;
    const CliResult r = f.run({"act", "-s", "nosuch", R"({"action":"screenshot"})"});
    BOOST_TEST(r.exit_code == 1);
}

}  // namespace
}  // namespace deskbox
