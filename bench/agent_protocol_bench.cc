// The agent protocol's own cost, side by side with the process spawn every
// xdotool call pays. Measures, over a real agent socket (AgentServer,
// JsonlConnection, dialect parsing, gate callbacks, reply building) with a
// desktop that does nothing and a gate that allows everything:
//   - a click round trip (request line → reply line), per dialect;
//   - a screenshot round trip carrying a 1.5 MB image (base64 in the reply);
// and, for comparison, `xdotool --version` and /bin/true spawned and reaped
// (a lower bound for `xdotool mousemove X Y click 1`, before any X work).
// The X side (XTest, capture, encoding) is measured by the integration bench
// against a real session; this isolates what the protocol adds.
//
// Usage: agent_protocol_bench [--rounds N]   (prints a Markdown table)
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "supervisor/control/agent_client.h"
#include "supervisor/control/agent_server.h"

extern char** environ;

namespace deskbox {
namespace {

class NullDesktop : public ActionExecutor {
public:
    std::string image_bytes;
    ActionResult execute(const Action& action, const CaptureOptions&) override {
        ActionResult r;
        if (action.kind == ActionKind::Screenshot) r.image = ImageData{"image/png", image_bytes, 1280, 800};
        return r;
    }
    Point scaled_size() const override { return {1280, 800}; }
};

class AllowGate : public GatePort {
public:
    void propose(const Proposal&, std::function<void(const GateVerdict&)>,
                 std::function<void(const GateVerdict&)> decided) override {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Execute;
        v.rule = "bench";
        decided(v);
    }
    void record_result(const GateVerdict&, bool, const std::string&) override {}
};

struct Stats {
    double median, p10, p90;
};

Stats stats(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))]; };
    return {at(0.5), at(0.1), at(0.9)};
}

double now_us() {
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<double> time_requests(const std::string& socket, const Json& request, int rounds) {
    AgentClient client(socket);
    std::vector<double> us;
    for (int i = 0; i < rounds; ++i) {
        const double t0 = now_us();
        const Json reply = client.call(request);
        us.push_back(now_us() - t0);
        if (!reply.value("ok", false)) throw Error("bench request failed: " + reply.dump());
    }
    return us;
}

std::vector<double> time_spawn(const char* path, std::vector<const char*> argv, int rounds) {
    argv.push_back(nullptr);
    std::vector<double> us;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < rounds; ++i) {
        const double t0 = now_us();
        pid_t pid;
        if (posix_spawn(&pid, path, &fa, nullptr, const_cast<char* const*>(argv.data()), environ) != 0)
            throw Error(std::string("spawning ") + path);
        int status;
        waitpid(pid, &status, 0);
        us.push_back(now_us() - t0);
    }
    posix_spawn_file_actions_destroy(&fa);
    return us;
}

void row(const char* what, const Stats& s) {
    std::printf("| %s | %.1f µs | %.1f–%.1f µs |\n", what, s.median, s.p10, s.p90);
}

}  // namespace
}  // namespace deskbox

int main(int argc, char** argv) {
    using namespace deskbox;
    int rounds = 2000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(10, std::atoi(argv[i + 1]));
    try {
        char tmpl[] = "/tmp/deskbox-bench-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("mkdtemp");
        const std::filesystem::path dir = tmpl;
        const std::string socket = (dir / "agent.sock").string();

        EventLoop loop;
        NullDesktop desktop;
        std::mt19937 rng(1);
        desktop.image_bytes.resize(1'500'000);
        for (char& c : desktop.image_bytes) c = static_cast<char>(rng());
        AllowGate gate;
        AgentServer::Options options;
        options.socket_path = socket;
        AgentServer server(
            loop, desktop, gate, [] { return Json::object(); }, options);

        std::atomic<bool> done{false};
        std::vector<double> anthropic, openai, osworld, shot;
        std::string failure;
        std::thread client([&] {
            try {
                anthropic = time_requests(socket, {{"action", "left_click"}, {"coordinate", {640, 400}}}, rounds);
                openai = time_requests(socket, Json::parse(R"({"type":"click","button":"left","x":640,"y":400})"),
                                       rounds / 4);  // each also carries the 1.5 MB screenshot
                osworld = time_requests(
                    socket, Json::parse(R"({"action_type":"CLICK","parameters":{"x":640,"y":400}})"), rounds);
                shot = time_requests(socket, {{"action", "screenshot"}}, rounds / 4);
            } catch (const std::exception& e) {
                failure = e.what();
            }
            done = true;
            loop.post([] {});
        });
        loop.run_until([&] { return done.load(); });
        client.join();
        std::filesystem::remove_all(dir);
        if (!failure.empty()) throw Error(failure);

        const auto xdotool = time_spawn("/usr/bin/xdotool", {"xdotool", "--version"}, rounds / 4);
        const auto truebin = time_spawn("/bin/true", {"true"}, rounds / 4);

        std::printf("| round trip | median | p10–p90 |\n|---|---|---|\n");
        row("click, Anthropic dialect, through agent.sock", stats(anthropic));
        row("click, OSWorld dialect, through agent.sock", stats(osworld));
        row("click + 1.5 MB screenshot, OpenAI dialect", stats(openai));
        row("screenshot reply, 1.5 MB image, Anthropic", stats(shot));
        row("`xdotool --version` spawn + exit (no X work)", stats(xdotool));
        row("`/bin/true` spawn + exit", stats(truebin));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "agent_protocol_bench: %s\n", e.what());
        return 1;
    }
}
