// deskbox demo: the CI-incident example end to end with no person at the
// keyboard (docs/demo.md). It starts the example site and `deskbox run` of the
// example's manifest, replays the recorded trajectory over agent.sock, answers
// approvals as a scripted reviewer over review.sock, prints the audit log's
// records as they are written, stops the session, and then checks from the
// kept audit log (never from its own printout) that every expected outcome
// happened. Exit 0 only then.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "supervisor/audit/audit_timeline.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/cli/demo_trajectory.h"
#include "supervisor/cli/example_site.h"
#include "supervisor/cli/line_process.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/manifest/manifest_parser.h"
#include "supervisor/session/paths.h"

namespace deskbox {

namespace {

namespace fs = std::filesystem;

constexpr int kSessionStartMs = 300'000;  // Chromium's first start on a busy machine
constexpr int kPageMs = 90'000;
constexpr int kSessionEndMs = 120'000;
constexpr const char* kReviewer = "scripted reviewer (deskbox demo)";

fs::path self_exe() {
    return fs::read_symlink("/proc/self/exe");
}

// The example next to a build tree's binary (build/deskbox → examples/), else the installed one.
fs::path default_example() {
    const fs::path exe_dir = self_exe().parent_path();
    for (const fs::path& p :
         {exe_dir.parent_path() / "examples/ci-incident", exe_dir.parent_path() / "share/deskbox/examples/ci-incident"})
        if (fs::exists(p / "manifest.yaml")) return p;
    return exe_dir.parent_path() / "examples/ci-incident";
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// What the live timeline shows of a record line ("TIME #SEQ TYPE summary"): the
// gate's and the reviewer's records, taint, verification and the example's own
// domains in the proxy's records; not screenshots, results, the demo's own
// looks at the screen, nor the browser's background requests to its vendor
// (all of them stay in the log).
bool shown(const std::string& line) {
    if (line.empty() || contains(line, " observation ") || contains(line, " result ")) return false;
    // The demo's own looks at the screen while it waits for a page or a focus.
    for (const char* look : {" tree [deskbox]", " screenshot [deskbox]", " hit_test [deskbox]", " wait [deskbox]",
                             " allow by rule 'observe'"})
        if (contains(line, look)) return false;
    return !contains(line, " network ") || contains(line, ".example:");
}

// Prints the audit records appended since the last call ("what the session decided").
class AuditFollower {
public:
    explicit AuditFollower(fs::path file) : file_(std::move(file)) {}
    void switch_to(fs::path file) { file_ = std::move(file); }
    void print_new() {
        std::ifstream in(file_, std::ios::binary);
        if (!in) return;
        in.seekg(static_cast<std::streamoff>(offset_));
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        const auto last_newline = text.rfind('\n');
        if (last_newline == std::string::npos) return;  // no complete record yet
        std::ostringstream out;
        print_audit_timeline(std::string_view(text).substr(0, last_newline + 1), out);
        std::istringstream lines(out.str());
        for (std::string line; std::getline(lines, line);)
            if (shown(line)) std::cout << "  audit    " << line << "\n";
        std::cout.flush();
        offset_ += last_newline + 1;
    }

private:
    fs::path file_;
    std::size_t offset_ = 0;
};

std::string one_line(const Json& j, std::size_t max = 160) {
    std::string s = j.dump();
    return s.size() > max ? s.substr(0, max) + "..." : s;
}

std::string reply_text(const Json& reply) {
    if (reply.contains("tool_result")) {
        for (const Json& c : reply["tool_result"].value("content", Json::array()))
            if (c.value("type", "") == "text") return c.value("text", "");
        return "(image)";
    }
    if (reply.contains("error") && reply["error"].is_object()) return reply["error"].value("message", reply.dump());
    return reply.value("ok", false) ? "ok" : one_line(reply);
}

class Demo {
public:
    Demo(fs::path example, DemoTrajectory trajectory, std::string session)
        : example_(std::move(example)),
          t_(std::move(trajectory)),
          session_(std::move(session)),
          audit_(find_session_dir(session_) / "audit.jsonl") {}

    int run();

private:
    void start_session();
    void step(std::size_t index, const DemoStep& s);
    void await_text(const std::string& text, std::size_t index);
    void await_focus(int x, int y, std::size_t index);
    Json act(const Json& request, const std::function<void(const Json&)>& on_pending);
    void review(const DemoStep& s, std::size_t index, const Json& pending);
    int end_session();
    bool check_outcomes();

    fs::path example_;
    DemoTrajectory t_;
    std::string session_;
    AuditFollower audit_;
    std::unique_ptr<ExampleSite> site_;
    std::unique_ptr<LineProcess> run_;
    std::unique_ptr<AgentClient> agent_;
    std::vector<std::string> failures_;
};

void Demo::start_session() {
    ExampleSiteOptions site;
    site.script = example_ / "site.py";
    site.port = 8765;  // the manifest's resolve: entries name it
    site.login = true;
    site.user = t_.site_user;
    site.password = t_.site_password;
    site_ = std::make_unique<ExampleSite>(site);
    std::cout << "site     the CI dashboard and incident tracker on 127.0.0.1:" << site_->port() << " (sign-in user '"
              << t_.site_user << "')\n";

    const fs::path manifest = example_ / "manifest.yaml";
    std::cout << "session  deskbox run " << manifest.string() << "\n" << std::flush;
    run_ = std::make_unique<LineProcess>(std::vector<std::string>{self_exe().string(), "run", manifest.string()},
                                         LineProcess::Output::Stderr);
    // The supervisor's own messages go on, indented, as they come; the apps' logs ("[NAME] ...") do not.
    run_->follow([](const std::string& line) {
        if (!line.starts_with("[")) std::cout << "  session  " << line << "\n" << std::flush;
    });
    const bool ready = run_->wait_until(
        [](const std::vector<std::string>& lines) {
            for (const auto& l : lines)
                if (contains(l, " ready on display ")) return true;
            return false;
        },
        kSessionStartMs);
    if (!ready)
        throw Error("the session did not get ready within " + std::to_string(kSessionStartMs / 1000) +
                    " s (its messages are above)");
    agent_ = std::make_unique<AgentClient>((find_session_dir(session_) / "agent.sock").string());
    audit_.print_new();
}

// A recorded agent looked at the screen until the page it acted on had come:
// the demo waits for that page's text in the accessibility tree, with a
// settled screenshot (an event: the screen stopped changing) between looks.
void Demo::await_text(const std::string& text, std::size_t index) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPageMs);
    while (std::chrono::steady_clock::now() < deadline) {
        const Json tree = act({{"action", "tree"}}, {});
        if (tree.value("ok", false) && contains(tree.dump(), text)) return;
        act({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}}, {});
    }
    throw Error("step " + std::to_string(index + 1) + ": '" + text + "' did not appear on the screen within " +
                std::to_string(kPageMs / 1000) + " s");
}

// An app takes the focus when it handles a click, after the click's own round
// trip: a careful agent looks (hit test) until the field says it has the focus
// before it types, so does the demo (the session's `wait` paces the looks).
void Demo::await_focus(int x, int y, std::size_t index) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const Json hit = act({{"action", "hit_test"}, {"x", x}, {"y", y}}, {});
        if (contains(hit.dump(), "\"focused\"")) return;
        act({{"action", "wait"}, {"duration", 0.1}}, {});
    }
    throw Error("step " + std::to_string(index + 1) + ": the element at (" + std::to_string(x) + ", " +
                std::to_string(y) + ") never took the focus");
}

// The example policy allows 5 actions a second: a refusal by the rate limit
// (never one by a rule) is sent again when the session says its bucket has refilled.
Json Demo::act(const Json& request, const std::function<void(const Json&)>& on_pending) {
    return agent_->call_paced(request, on_pending);
}

void Demo::review(const DemoStep& s, std::size_t index, const Json& pending) {
    audit_.print_new();
    const std::string id = pending.value("approval_id", "");
    std::cout << "  pending  " << id << " waits for a reviewer (rule '" << pending.value("rule", "?") << "')\n";
    if (!s.review) {
        failures_.push_back("step " + std::to_string(index + 1) + " asked for a reviewer; the trajectory expected not");
        std::cout << "  reviewer (none expected) denies " << id << "\n";
    } else {
        std::cout << "  reviewer " << kReviewer << (s.review->approve ? " approves " : " denies ") << id << ": "
                  << s.review->note << "\n";
    }
    const bool approve = s.review && s.review->approve;
    AgentClient reviewer((find_session_dir(session_) / "review.sock").string());
    const Json reply = reviewer.call({{"type", approve ? "approve" : "deny"},
                                      {"approval", id},
                                      {"note", std::string(kReviewer) + ": " + (s.review ? s.review->note : "")}});
    if (!reply.value("ok", false))
        throw Error("the review socket refused the answer to " + id + ": " + one_line(reply));
}

void Demo::step(std::size_t index, const DemoStep& s) {
    std::cout << "\nstep " << index + 1 << "/" << t_.steps.size() << "  agent: " << s.say << "\n";
    if (!s.await.empty()) await_text(s.await, index);
    if (s.await_focus) await_focus(s.await_focus->first, s.await_focus->second, index);
    audit_.print_new();
    std::cout << "  agent    " << one_line(s.block) << "\n" << std::flush;
    bool pended = false;
    const Json reply = act(s.block, [&](const Json& pending) {
        pended = true;
        review(s, index, pending);
    });
    audit_.print_new();
    const bool ok = reply.value("ok", false);
    std::cout << "  reply    " << (ok ? "ok: " : "refused: ") << reply_text(reply) << "\n";
    const std::string where = "step " + std::to_string(index + 1) + " (" + s.say + ")";
    if (ok != s.expect_ok)
        failures_.push_back(where + ": expected " + (s.expect_ok ? "ok" : "a refusal") + ", got " + one_line(reply));
    else if (!s.refusal.empty() && !contains(reply.dump(), s.refusal))
        failures_.push_back(where + ": the refusal does not mention '" + s.refusal + "': " + one_line(reply));
    if (s.review && !pended) failures_.push_back(where + ": expected to wait for a reviewer, it did not");
}

int Demo::end_session() {
    std::cout << "\nreviewer " << kReviewer << " stops the session (its final verification runs now)\n" << std::flush;
    AgentClient reviewer((find_session_dir(session_) / "review.sock").string());
    reviewer.call({{"type", "stop"}, {"note", std::string(kReviewer) + ": the task is done"}});
    const int code = run_->wait_exit(kSessionEndMs);
    if (code < 0) throw Error("the session did not end within " + std::to_string(kSessionEndMs / 1000) + " s");
    audit_.switch_to(logs_dir(session_) / "audit.jsonl");
    audit_.print_new();
    std::cout << "session  ended with exit code " << code << " (expected " << t_.expected_exit << ")\n";
    return code;
}

// Every outcome from the kept audit log: its chain must verify, and each line asked for must be in its timeline.
bool Demo::check_outcomes() {
    const fs::path log = logs_dir(session_) / "audit.jsonl";
    const std::string text = read_audit_file(log);
    const AuditVerifyReport report = verify_audit_text(text);
    std::ostringstream timeline;
    print_audit_timeline(text, timeline);
    std::cout << "\noutcomes (read back from " << log.string() << ")\n";
    bool all = report.ok;
    std::cout << (report.ok ? "  PASS  " : "  FAIL  ") << "the audit log's hash chain: " << report.records << " records"
              << (report.ok ? ", intact" : ", broken at record " + std::to_string(report.broken_record)) << "\n";
    for (const DemoOutcome& o : t_.outcomes) {
        std::string missing;
        for (const std::string& needle : o.audit)
            if (!contains(timeline.str(), needle)) missing += (missing.empty() ? "" : ", ") + ("'" + needle + "'");
        std::cout << (missing.empty() ? "  PASS  " : "  FAIL  ") << o.scenario;
        if (!missing.empty()) std::cout << " (the audit log has no " << missing << ")";
        std::cout << "\n";
        all = all && missing.empty();
    }
    const fs::path shots = logs_dir(session_) / "screenshots";
    std::size_t kept = 0;
    if (fs::is_directory(shots))
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(shots)) ++kept;
    std::cout << "\naudit log    " << log.string() << "  (deskbox audit show " << log.string() << ")\n"
              << "screenshots  " << shots.string() << " (" << kept << " kept)\n";
    return all;
}

int Demo::run() {
    std::cout << "deskbox demo: " << t_.task << "\n"
              << "example  " << example_.string() << " (the agent replays trajectory.json; approvals are answered by a "
              << kReviewer << ")\n\n";
    start_session();
    for (std::size_t i = 0; i < t_.steps.size(); ++i) step(i, t_.steps[i]);
    const int code = end_session();
    if (code != t_.expected_exit)
        failures_.push_back("the session exited with " + std::to_string(code) + ", expected " +
                            std::to_string(t_.expected_exit));
    const bool outcomes = check_outcomes();
    for (const auto& f : failures_) std::cout << "  FAIL  " << f << "\n";
    const bool passed = outcomes && failures_.empty();
    std::cout << "\ndeskbox demo: "
              << (passed ? "every expected outcome happened" : "NOT every expected outcome happened") << "\n";
    return passed ? kExitOk : kExitFailure;
}

}  // namespace

void add_demo_command(CLI::App& app, CommandAction& selected) {
    auto example = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "demo",
        "Run the CI-incident example end to end: a scripted agent and a scripted reviewer, the timeline as it happens");
    cmd->add_option("--example", *example,
                    "The example folder (manifest.yaml, site.py, trajectory.json); default: examples/ci-incident of "
                    "the source tree or of the installed share folder");
    cmd->footer(
        "Needs root (the session's sandbox), python3 and chromium; the example site listens on 127.0.0.1:8765.\n"
        "Exit codes: 0 every expected outcome happened, 1 otherwise, 2 invalid trajectory or manifest.");
    cmd->callback([example, &selected] {
        selected = [example]() -> int {
            const fs::path dir = example->empty() ? default_example() : fs::path(*example);
            if (!fs::exists(dir / "manifest.yaml"))
                throw Error("no example at " + dir.string() + " (manifest.yaml missing): pass --example DIR");
            DemoTrajectory trajectory = load_demo_trajectory(dir / "trajectory.json");
            const std::string name = parse_manifest_file(dir / "manifest.yaml").session.name;
            return Demo(dir, std::move(trajectory), name).run();
        };
    });
}

}  // namespace deskbox
