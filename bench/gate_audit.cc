// Gate + audit overhead per action, fsync on: what one proposal costs before
// its action may reach the display (context -> gate decision -> proposal and
// decision records, redacted, hash-chained, fdatasync'd -> verdict), next to
// the bare minimum any durable log pays (one write() + fdatasync() of a line
// of the same size, no gate, no hashing, no redaction). Also the same proposal
// with its context answered later from the event loop, as the session's
// accessibility lookups are (the proposal parked for one loop turn).
//
//   gate_audit [--dir DIR] [--count N]
// Default: a tmpfs (/run when it is one, else /dev/shm), 2000 actions, and
// /var/tmp (disk), 300 actions.
//
// Prints median, p90, p99 and max in microseconds for both.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "policy/policy_parser.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/base/event_loop.h"

using namespace deskbox;
using Clock = std::chrono::steady_clock;

namespace {

const char* kPolicy = R"(version: 1
default: deny
taint: {patterns: ["(?i)ignore (all |any )?(previous|prior) instructions"], escalate: [medium, high], to: approve}
redact: ["RUN-SECRET-[0-9]+"]
rules:
  - {name: observe, when: {action: [screenshot, tree, zoom, wait]}, tier: low}
  - {name: no terminals, when: {window: {class: "(?i)term"}}, decision: deny}
  - {name: no ctrl-alt-delete, when: {keys: "ctrl+alt+Delete"}, decision: deny}
  - {name: deploy controls, when: {target: {name: "(?i)rerun|deploy|delete"}}, tier: high}
  - {name: incident updates, when: {domain: "*.incidents.example", action: [click, type]}, tier: high}
  - {name: ci lookup, when: {domain: ci.example}, tier: medium}
  - {name: other sites, when: {window: {class: "(?i)chromium"}}, decision: deny}
)";

class Page : public GateContextProvider {
public:
    GateContext context_for(const Action&) override {
        GateContext c;
        c.window = FocusedWindow{"Chromium", "RUN-78432 - CI dashboard"};
        c.domain = "ci.example";
        c.target = TargetElement{"link", "Failed tests", Rect{100, 200, 120, 18}};
        c.observation_text = "Run RUN-78432 failed: 3 tests. Owner ops@ci.example.";
        return c;
    }
};

// The same page, answered as the session answers a proposal's accessibility
// lookups: later, from the event loop (the proposal is parked meanwhile).
class LoopPage : public Page {
public:
    explicit LoopPage(EventLoop& loop) : loop_(loop) {}
    void lookup_context(const Action& action, ContextDone done) override {
        loop_.post([this, action, done = std::move(done)] { done(context_for(action), {}); });
    }

private:
    EventLoop& loop_;
};

struct Stats {
    double median, p90, p99, max;
};

Stats stats(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    auto at = [&](double q) {
        return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))];
    };
    return {at(0.5), at(0.9), at(0.99), us.back()};
}

bool is_tmpfs(const char* path) {
    struct statfs st {};
    return ::statfs(path, &st) == 0 && st.f_type == TMPFS_MAGIC;
}

// CPU time of this thread: what the work costs, without the time the
// scheduler gave other processes (the wall-clock tail on a loaded machine).
double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double since_us(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

void run(const std::filesystem::path& dir, int count) {
    const std::filesystem::path gate_file = dir / "deskbox-bench-audit.jsonl";
    const std::filesystem::path raw_file = dir / "deskbox-bench-raw.jsonl";
    std::filesystem::remove(gate_file);
    std::filesystem::remove(raw_file);

    const Policy policy = parse_policy_text(kPolicy, "bench.yaml");
    EventLoop loop;
    EventLoopTimers timers(loop);
    Gate gate(policy, BudgetLimits{}, Millis(60'000));
    ApprovalQueue approvals(timers, system_monotonic_clock());
    std::size_t bytes_before = 0;
    std::vector<double> gated, gated_cpu;
    {
        AuditLog log(gate_file, Redactor({"RUN-SECRET-1"}, policy.redact));
        Page page;
        AuditedGate audited(gate, approvals, log, page);
        Action click;
        click.kind = ActionKind::Click;
        click.point = Point{160, 209};
        for (int i = 0; i < count; ++i) {
            bool executed = false;
            const auto start = Clock::now();
            const double cpu_start = thread_cpu_us();
            audited.propose(
                Proposal{click, Dialect::Anthropic, "req"}, [](const GateVerdict&) {},
                [&](const GateVerdict& v) { executed = v.outcome == GateVerdict::Outcome::Execute; });
            gated.push_back(since_us(start));
            gated_cpu.push_back(thread_cpu_us() - cpu_start);
            if (!executed) throw Error("the benchmark's click was not allowed");
        }
        bytes_before = std::filesystem::file_size(gate_file);
    }
    // Parked: the context comes from the loop (one loop turn: eventfd wake-up).
    std::vector<double> parked, parked_cpu;
    {
        std::filesystem::remove(gate_file);
        AuditLog log(gate_file, Redactor({"RUN-SECRET-1"}, policy.redact));
        LoopPage page(loop);
        Gate parked_gate(policy, BudgetLimits{}, Millis(60'000));
        AuditedGate audited(parked_gate, approvals, log, page);
        Action click;
        click.kind = ActionKind::Click;
        click.point = Point{160, 209};
        for (int i = 0; i < count; ++i) {
            bool decided = false, executed = false;
            const auto start = Clock::now();
            const double cpu_start = thread_cpu_us();
            audited.propose(
                Proposal{click, Dialect::Anthropic, "req"}, [](const GateVerdict&) {},
                [&](const GateVerdict& v) {
                    decided = true;
                    executed = v.outcome == GateVerdict::Outcome::Execute;
                });
            while (!decided) loop.run_once(Millis(1000));
            parked.push_back(since_us(start));
            parked_cpu.push_back(thread_cpu_us() - cpu_start);
            if (!executed) throw Error("the benchmark's parked click was not allowed");
        }
    }
    // Baseline: the same bytes per action, written and synced as two lines
    // (proposal, decision), the second one fdatasync'd like ours.
    const std::string line(bytes_before / static_cast<std::size_t>(count) / 2, 'x');
    std::vector<double> raw;
    {
        UniqueFd fd(::open(raw_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600));
        if (!fd) throw_errno("opening " + raw_file.string());
        const std::string out = line + "\n";
        for (int i = 0; i < count; ++i) {
            const auto start = Clock::now();
            if (::write(fd.get(), out.data(), out.size()) < 0 || ::write(fd.get(), out.data(), out.size()) < 0 ||
                ::fdatasync(fd.get()) != 0)
                throw_errno("writing " + raw_file.string());
            raw.push_back(since_us(start));
        }
    }
    std::filesystem::remove(gate_file);
    std::filesystem::remove(raw_file);
    const Stats g = stats(gated), r = stats(raw), c = stats(gated_cpu), p = stats(parked), pc = stats(parked_cpu);
    std::printf("%s [%s] (%d actions, %zu bytes of audit per action)\n", dir.c_str(),
                is_tmpfs(dir.c_str()) ? "tmpfs" : "disk", count, bytes_before / static_cast<std::size_t>(count));
    std::printf("  %-44s median %8.1f us  p90 %8.1f  p99 %8.1f  max %8.1f\n", "gate + audit (2 records, fdatasync)",
                g.median, g.p90, g.p99, g.max);
    std::printf("  %-44s median %8.1f us  p90 %8.1f  p99 %8.1f  max %8.1f\n", "  the same, CPU time of the thread",
                c.median, c.p90, c.p99, c.max);
    std::printf("  %-44s median %8.1f us  p90 %8.1f  p99 %8.1f  max %8.1f\n",
                "gate + audit, context parked (from the loop)", p.median, p.p90, p.p99, p.max);
    std::printf("  %-44s median %8.1f us  p90 %8.1f  p99 %8.1f  max %8.1f\n", "  the same, CPU time of the thread",
                pc.median, pc.p90, pc.p99, pc.max);
    std::printf("  %-44s median %8.1f us  p90 %8.1f  p99 %8.1f  max %8.1f\n", "bare write x2 + fdatasync (baseline)",
                r.median, r.p90, r.p99, r.max);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::pair<std::string, int>> targets;
    std::string dir;
    int count = 0;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!std::strcmp(argv[i], "--count") && i + 1 < argc)
            count = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: gate_audit [--dir DIR] [--count N]\n");
            return 64;
        }
    }
    if (!dir.empty())
        targets.emplace_back(dir, count > 0 ? count : 1000);
    else
        targets = {{is_tmpfs("/run") ? "/run" : "/dev/shm", count > 0 ? count : 2000},
                   {"/var/tmp", count > 0 ? count : 300}};
    try {
        for (const auto& [d, n] : targets) run(d, n);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gate_audit: %s\n", e.what());
        return 1;
    }
    return 0;
}
