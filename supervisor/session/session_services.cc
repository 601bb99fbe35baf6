#include "supervisor/session/session_services.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>

#include "policy/approvals.h"
#include "policy/gate.h"
#include "policy/redact.h"
#include "supervisor/audit/audit_log.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/base/netns.h"
#include "supervisor/control/agent_server.h"
#include "supervisor/control/review_server.h"
#include "supervisor/manifest/secret_conditions.h"
#include "supervisor/proxy/egress_proxy.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/userns.h"
#include "supervisor/session/approval_screenshot.h"
#include "supervisor/session/collect.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/reviewer_vnc.h"
#include "supervisor/session/secret_store.h"
#include "supervisor/session/session_access.h"
#include "supervisor/session/session_executor.h"
#include "supervisor/session/session_recording.h"
#include "supervisor/session/setup_runner.h"
#include "supervisor/session/spreadsheet_check.h"
#include "supervisor/session/upload.h"
#include "supervisor/session/verify.h"
#include "supervisor/session/verify_windows.h"
#include "xsession/a11y/a11y_client.h"
#include "xsession/a11y/session_bus.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/x_connection.h"
#include "xsession/vnc/vnc_server.h"

namespace deskbox {

namespace {

constexpr std::uint16_t kProxyPort = 3128;

// The AT-SPI helper runs inside the sandbox, which sees only system folders
// and the staging dir; a copy in the staging dir works for an installed
// deskbox and for one run from its build tree alike.
// How the loop's thread waits for the accessibility helper: in short slices,
// serving the urgent sources (signals, the reviewer's socket) in between, so
// that a hung app never holds the kill switch. Once the session is stopping
// the query is abandoned (its late reply is skipped).
constexpr int kA11yWaitSliceMs = 50;

void wait_serving_kill_switch(Session& session, int helper_fd, std::int64_t deadline_ms) {
    const std::int64_t left = deadline_ms - monotonic_ms();
    if (left > 0) {
        pollfd fds[2] = {{helper_fd, POLLIN, 0}, {session.loop().urgent_fd(), POLLIN, 0}};
        const int n = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left, kA11yWaitSliceMs)));
        if (n < 0 && errno != EINTR) throw_errno("waiting for the accessibility helper");
        if (n > 0 && (fds[1].revents & POLLIN)) session.loop().dispatch_urgent();
    }
    if (session.stopping()) throw Error("the session is stopping: the accessibility query was abandoned");
}

std::string stage_a11y_helper(const Session& session) {
    std::filesystem::path helper;
    if (const char* env = std::getenv("DESKBOX_A11Y_HELPER"); env && *env) {
        helper = env;
    } else {
        std::error_code ec;
        const auto exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
        const auto in_build_tree = exe_dir / "xsession" / "a11y" / "helper" / "deskbox-a11y";
        helper = !ec && std::filesystem::exists(in_build_tree) ? in_build_tree
                                                               : std::filesystem::path(a11y::default_helper_path());
    }
    const auto staged = session.staging_dir() / "deskbox-a11y";
    std::error_code ec;
    std::filesystem::copy_file(helper, staged, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw Error("copying the accessibility helper " + helper.string() + " into the session: " + ec.message());
    std::filesystem::permissions(staged, std::filesystem::perms(0755), ec);
    return session.staging_child("deskbox-a11y");
}

}  // namespace

struct SessionServices::State {
    std::unique_ptr<SecretStore> secrets;  // zeroed when the session's services go
    std::unique_ptr<AuditLog> audit;
    std::unique_ptr<EgressProxy> proxy;
    std::vector<std::string> bus_env;
    XConnection x;
    std::unique_ptr<Desktop> desktop;
    std::unique_ptr<a11y::A11yClient> a11y;
    std::unique_ptr<SessionExecutor> executor;
    std::unique_ptr<Gate> gate;
    std::unique_ptr<EventLoopTimers> timers;
    std::unique_ptr<ApprovalQueue> approvals;
    std::unique_ptr<AuditedGate> audited_gate;
    std::unique_ptr<AgentServer> agent;
    std::unique_ptr<ReviewServer> review;
    std::unique_ptr<VncServer> vnc;
    std::unique_ptr<VncServer> takeover_vnc;  // while a reviewer has control
    unsigned takeovers = 0;                   // started so far (each on a port of its own)
    std::unique_ptr<SessionRecording> recording;
    std::unique_ptr<SandboxFiles> files;
    std::unique_ptr<Collector> collector;
    bool verify_running = false;
    // A stop request killed a verify command: no further command is started.
    bool verify_interrupted = false;
};

SessionServices::SessionServices(Session& session) : session_(session), state_(std::make_unique<State>()) {}

SessionServices::~SessionServices() {
    // Sockets first (no new requests), then what they used.
    state_->agent.reset();
    state_->review.reset();
    state_->takeover_vnc.reset();
    state_->vnc.reset();
}

void SessionServices::open_audit() {
    const Plan& plan = session_.plan();
    state_->secrets = std::make_unique<SecretStore>(plan.manifest.secrets);
    Redactor redactor(state_->secrets->values_for_redaction(), plan.policy.redact);
    state_->audit = std::make_unique<AuditLog>(session_.session_dir() / "audit.jsonl", std::move(redactor));
    state_->audit->append("session_start",
                          {{"session", session_.name()},
                           {"manifest", plan.manifest.source.string()},
                           {"manifest_sha256", plan.manifest_sha256},
                           {"policy", plan.policy.source},
                           {"policy_sha256", plan.policy_sha256}},
                          Durability::Sync);
    state_->audit->append(
        "admission",
        {{"admitted", plan.verdict.admitted}, {"reasons", plan.verdict.reasons}, {"notes", plan.verdict.notes}},
        Durability::Sync);
}

AppLaunch SessionServices::start_network() {
    const NetworkSpec& net = session_.plan().manifest.network;
    if (net.mode != NetworkMode::Allowlist) return {};
    UniqueFd netns = session_.open_netns();
    UniqueFd listener = socket_in_netns(netns.get(), AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    run_in_netns(netns.get(), [&] {
        // The sandbox netns starts with lo down; bringing it up is the supervisor's job
        // (the sandbox brings it up too; this is harmless if it is already up).
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(kProxyPort);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int one = 1;
        setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw_errno("binding the egress proxy to 127.0.0.1:3128 in the session");
        if (listen(listener.get(), 128) != 0) throw_errno("listening on the egress proxy socket");
    });
    AuditLog* audit = state_->audit.get();
    const SecretStore* secrets = state_->secrets.get();
    state_->proxy = std::make_unique<EgressProxy>(net, std::move(listener), [audit, secrets](nlohmann::json record) {
        // A secret's value in a requested URL or host is redacted by the log and flagged here.
        if (auto names = secrets->found_in(record.dump()); !names.empty()) record["secret_leak"] = names;
        audit->append("network", record);  // AuditLog::append is thread-safe
    });
    state_->proxy->start();
    const std::string url = "http://127.0.0.1:" + std::to_string(kProxyPort);
    AppLaunch launch;
    launch.env = {"HTTP_PROXY=" + url, "HTTPS_PROXY=" + url, "ALL_PROXY=" + url,
                  "http_proxy=" + url, "https_proxy=" + url, "all_proxy=" + url};
    launch.proxy_url = url;
    return launch;
}

std::vector<std::string> SessionServices::start_accessibility_bus() {
    Session& s = session_;
    const a11y::SessionBus bus =
        a11y::start_session_bus(s.spawner(), s.base_env(), Millis(15'000), [&s](const std::string& name, int status) {
            if (!s.stopping())
                std::cerr << "deskbox: session " << s.name() << ": " << name << " ended (status " << status << ")\n";
        });
    state_->bus_env = bus.app_env;
    return bus.app_env;
}

void SessionServices::start_control() {
    Session& s = session_;
    State& st = *state_;
    const Plan& plan = s.plan();
    const Manifest& m = plan.manifest;

    // The X connection lives in the session's network namespace (abstract socket).
    {
        UniqueFd netns = s.open_netns();
        st.x = XConnection::open(s.display_number(), s.x_cookie(), netns.get());
    }
    DesktopOptions desktop_options;
    if (m.observe.scale_width) desktop_options.scaled_size = Point{*m.observe.scale_width, *m.observe.scale_height};
    st.desktop = std::make_unique<Desktop>(st.x, desktop_options);

    try {
        a11y::HelperOptions helper;
        helper.helper_path = stage_a11y_helper(s);
        helper.env = s.base_env();
        helper.env.insert(helper.env.end(), st.bus_env.begin(), st.bus_env.end());
        st.a11y = std::make_unique<a11y::A11yClient>(s.spawner(), helper);
        st.a11y->set_wait_hook(
            [&s](int fd, std::int64_t deadline_ms) { wait_serving_kill_switch(s, fd, deadline_ms); });
    } catch (const Error& e) {
        // The session still works by pixels; element actions say accessibility is unavailable.
        std::cerr << "deskbox: session " << s.name() << ": accessibility helper unavailable: " << e.what() << "\n";
        st.audit->append("warning", {{"what", "accessibility helper unavailable"}, {"error", e.what()}});
    }
    st.executor = std::make_unique<SessionExecutor>(*st.desktop, st.x.get(), st.a11y.get(),
                                                    [&s](int pid) { return s.app_of_pid(pid); });
    st.executor->set_secrets(st.secrets.get());
    st.executor->answer_lookups_on(s.loop());  // the gate's AT-SPI lookups wait on the loop, not in it

    BudgetLimits limits;
    limits.steps = plan.budget.steps;
    limits.wall_clock = plan.budget.wall_clock;
    limits.actions_per_second = plan.budget.actions_per_second;
    st.gate = std::make_unique<Gate>(plan.policy, limits, m.review.approval_timeout);
    st.timers = std::make_unique<EventLoopTimers>(s.loop());
    st.approvals = std::make_unique<ApprovalQueue>(*st.timers, system_monotonic_clock());
    AuditedGateOptions gate_options;
    if (m.observe.keep_screenshots) {
        // Next to where audit.jsonl is kept after the session (the session dir
        // is removed at the end), as private as the log itself.
        const auto kept = logs_dir(s.name()) / "screenshots";
        std::filesystem::create_directories(kept);
        if (::chmod(kept.c_str(), 0700) != 0) throw_errno("making " + kept.string() + " private");
        gate_options.keep_screenshots_in = kept;
    }
    // A reviewer's approval runs its action from the loop, never inside the
    // review request (which may be served while an accessibility query waits).
    gate_options.run_later = [&s](std::function<void()> work) { s.loop().post(std::move(work)); };
    gate_options.secret_check = [&m](const std::string& secret,
                                     const GateContext& context) -> std::optional<std::pair<std::string, std::string>> {
        if (auto r = secret_refusal(m.secrets, secret, context)) return std::make_pair(r->condition, r->reason);
        return std::nullopt;
    };
    gate_options.secrets_in = [&st](std::string_view text) { return st.secrets->found_in(text); };
    gate_options.approval_screenshot = [&st, &plan](const std::optional<Rect>& box) {
        return redacted_screenshot(*st.desktop, st.a11y.get(), box, plan.policy.screen_redactions);
    };
    st.audited_gate = std::make_unique<AuditedGate>(*st.gate, *st.approvals, *st.audit, *st.executor, gate_options);
    st.audited_gate->on_stop([&s] { s.request_stop("stopped by a reviewer", 0); });
    st.audited_gate->on_change([&s] { s.write_status(); });
    st.audited_gate->on_verify([this](const Reviewer& by) { return verify_now(reviewer_json(by)); });
    if (m.review.takeover)
        st.audited_gate->on_takeover([this](const Reviewer& by) { return start_takeover(by); },
                                     [this] { state_->takeover_vnc.reset(); });
    start_files();
    AuditedGate* gate = st.audited_gate.get();
    st.executor->on_observation([gate](const std::string& kind, const std::string& mime, const std::string& data) {
        if (kind == "tree")
            gate->observe_text(data, "tree");
        else
            gate->record_observation(kind, mime, data);
    });

    // Host-owned setup, before the agent socket exists: the agent's first view
    // is the state the manifest prepared (READY=1 and status running come later).
    if (!m.setup.empty()) {
        SetupEnvironment setup;
        setup.display = st.x.get();
        setup.executor = st.executor.get();
        setup.a11y = st.a11y.get();
        setup.secrets = &m.secrets;
        setup.spawn = [&s](const SetupStep& step) { s.spawn_setup_process(step); };
        run_setup(m.setup, setup, *st.audit);
    }

    AgentServer::Options agent_options;
    agent_options.socket_path = (s.session_dir() / "agent.sock").string();
    // Sockets: root:deskbox / root:deskbox-review 0660 as root, owner-only otherwise (session_access.h).
    const SessionAccess& access = session_access();
    agent_options.mode = access.agent_socket.mode;
    agent_options.group = access.agent_socket.group;
    st.agent = std::make_unique<AgentServer>(
        s.loop(), *st.executor, *st.audited_gate, [&s] { return s.status_json(); }, agent_options);
    st.review = std::make_unique<ReviewServer>(s.loop(), (s.session_dir() / "review.sock").string(), *st.audited_gate,
                                               ReviewAccess{access.review_socket.mode, access.review_socket.group});
    s.write_status();  // the sockets listen

    if (m.review.vnc.enabled) {
        try {
            start_reviewer_view();
        } catch (const Error& e) {
            // The session still runs and is gated and audited; reviewers lose the live view, so say so.
            std::cerr << "deskbox: session " << s.name() << ": reviewer VNC view unavailable: " << e.what() << "\n";
            st.audit->append("warning", {{"what", "reviewer VNC view unavailable"}, {"error", e.what()}});
        }
    }
    if (m.observe.record.video) {
        try {
            st.recording = std::make_unique<SessionRecording>(s, *st.audit);
        } catch (const Error& e) {
            // The session runs without its video; the log says so.
            std::cerr << "deskbox: session " << s.name() << ": screen recording unavailable: " << e.what() << "\n";
            st.audit->append("warning", {{"what", "screen recording unavailable"}, {"error", e.what()}});
        }
    }
}

void SessionServices::start_files() {
    Session& s = session_;
    State& st = *state_;
    const Manifest& m = s.plan().manifest;
    const auto& ids = s.sandbox().ids();
    st.files = std::make_unique<SandboxFiles>(s.sandbox().init_pid(), ids.host_uid_of(sandbox::kAppUid),
                                              ids.host_gid_of(sandbox::kAppGid));
    st.executor->on_upload([this](const UploadRequest& upload) {
        return run_upload(upload, session_.plan().manifest.uploads, *state_->files);
    });
    st.collector = std::make_unique<Collector>(*st.files, m.collect, logs_dir(s.name()) / "collected", *st.audit);
    st.audited_gate->on_collect([this](const Reviewer& by) { return state_->collector->collect(reviewer_json(by)); });
}

void SessionServices::start_reviewer_view() {
    state_->vnc = start_view_vnc(session_);
    session_.write_status();  // reviewers can connect
}

nlohmann::json SessionServices::start_takeover(const Reviewer& by) {
    State& st = *state_;
    // Starting x11vnc runs the session's loop until it listens, as verify does.
    if (session_.loop().in_urgent_wait())
        throw Error("an action is waiting for the accessibility helper; ask for takeover again in a moment");
    // The socket belongs to the reviewer (root can hand it over; otherwise it is the supervisor's own user).
    std::optional<uid_t> owner;
    if (geteuid() == 0 && by.uid >= 0) owner = static_cast<uid_t>(by.uid);
    const std::string password = random_vnc_password();
    st.takeover_vnc = start_takeover_vnc(session_, owner, password, st.takeovers++);
    return {{"socket", st.takeover_vnc->endpoint().socket_path}, {"password", password}};
}

VerifyOutcome SessionServices::run_checks() {
    State& st = *state_;
    // Host commands are waited for by running the session's loop, which serves
    // the review socket meanwhile: a second `verify` must not nest in the first.
    if (st.verify_running) throw Error("a verification is already running");
    // Served from inside an action's accessibility query (the kill switch's
    // path): the checks would need the same helper and the same loop.
    if (session_.loop().in_urgent_wait())
        throw Error("an action is waiting for the accessibility helper; ask for verify again in a moment");
    st.verify_running = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{st.verify_running};
    const std::uint64_t stops_before = session_.stop_requests();
    VerifyEnvironment env;
    env.a11y = st.a11y.get();
    // The home or /tmp, no link followed (sandbox_files.h), at most 1 MiB.
    env.read_file = [&st](const std::string& path) { return st.files->read(path, 1 << 20); };
    env.current_url = [&st] {
        std::string url = st.executor->focused_browser_url();
        // Not focused (a dialog, another app): the browser document that shows.
        if (url.empty() && st.a11y) {
            try {
                url = st.a11y->browser_context().url;
            } catch (const Error&) {
            }
        }
        return url;
    };
    env.windows = [&st] { return verify_windows(st.x.get()); };
    env.spreadsheet_csv = [this, &st, stops_before](const VerifyCheck& check) {
        OfficeConverter office{session_.loop(), session_.spawner(), session_.base_env(), *st.files,
                               [this, stops_before] { return session_.stop_requests() != stops_before; }};
        return convert_sheet_to_csv(office, check);
    };
    env.run_command = [this, &st, stops_before](const VerifyCheck& check) {
        if (st.verify_interrupted) throw Error("not run: a stop request interrupted an earlier verify command");
        HostCommandOptions options;
        options.timeout = check.timeout;
        // As much as the audit log records of one string: the record and the reply agree.
        options.max_output = kMaxRecordedText;
        options.interrupted = [this, stops_before] { return session_.stop_requests() != stops_before; };
        HostCommandResult result = run_host_command(session_.loop(), check.command, options);
        if (result.end == HostCommandResult::End::Interrupted) st.verify_interrupted = true;
        return result;
    };
    return run_verify_checks(session_.plan().manifest.verify, env);
}

nlohmann::json SessionServices::verify_now(const nlohmann::json& requested_by) {
    State& st = *state_;
    try {
        const VerifyOutcome outcome = run_checks();
        nlohmann::json results = nlohmann::json::array();
        for (auto r : outcome.results) {
            if (!requested_by.is_null()) r["requested_by"] = requested_by;
            st.audit->append("verification", r, Durability::Sync);
            // The reviewer sees what the log keeps: a command's output can hold a secret.
            st.audit->redactor().redact_json(r);
            results.push_back(std::move(r));
        }
        return {{"passed", outcome.passed}, {"results", std::move(results)}};
    } catch (const Error& e) {
        nlohmann::json r = {{"error", e.what()}};
        if (!requested_by.is_null()) r["requested_by"] = requested_by;
        st.audit->append("verification", r, Durability::Sync);
        return {{"passed", false}, {"error", e.what()}, {"results", nlohmann::json::array()}};
    }
}

namespace {

// One step of a session's end: a failure is reported and the next step still
// runs (the sockets must close whatever failed before them).
void ending_step(const std::string& session, const char* what, const std::function<void()>& work) {
    try {
        work();
    } catch (const std::exception& e) {
        std::cerr << "deskbox: session " << session << ": ending: " << what << ": " << e.what() << "\n";
    }
}

}  // namespace

int SessionServices::end_of_session() {
    State& st = *state_;
    int exit_code = 0;
    // Verification first, while apps and accessibility are still there; 3 is
    // the CLI's kExitVerifyFailed (docs/cli.md).
    if (st.audit)
        ending_step(session_.name(), "the verify checks",
                    [&] { exit_code = verify_now(nullptr).at("passed").get<bool>() ? 0 : 3; });
    close_endpoints();
    // While the home still exists (the apps stop next); nothing executes any more.
    if (st.collector && !st.collector->empty())
        ending_step(session_.name(), "collecting files", [&] { st.collector->collect(nullptr); });
    return exit_code;
}

void SessionServices::close_endpoints() {
    State& st = *state_;
    // The video ends after the verify checks (it shows them), before the sockets close.
    if (st.recording) ending_step(session_.name(), "the recording", [&] { st.recording->finish(); });
    // No agent, reviewer or takeover input after this: nothing further executes.
    st.agent.reset();
    st.review.reset();
    st.takeover_vnc.reset();
    st.vnc.reset();
}

PartsStatus SessionServices::parts_status() const {
    const State& st = *state_;
    PartsStatus p;
    if (st.vnc) p.vnc = describe_vnc_endpoint(st.vnc->endpoint());
    if (st.agent) p.agent_socket = st.agent->server().path();
    if (st.review) p.review_socket = st.review->path();
    if (st.audited_gate) p.gate = st.audited_gate->status_json();
    return p;
}

int SessionServices::record_teardown(int exit_code, const std::vector<std::string>& problems) {
    State& st = *state_;
    // The teardown record is the log's last: nothing that writes records may outlive it.
    // The proxy's one stop: its destruction (also State's, when the start failed earlier).
    st.proxy.reset();
    if (!st.audit) return exit_code;
    nlohmann::json record = {{"exit_code", exit_code}, {"reason", session_.stop_reason()}};
    if (!problems.empty()) record["problems"] = problems;
    if (!session_.error().empty()) record["error"] = session_.error();
    try {
        st.audit->append("teardown", record, Durability::Sync);
    } catch (const Error& e) {
        std::cerr << "deskbox: session " << session_.name()
                  << ": the teardown record could not be written: " << e.what() << "\n";
        if (exit_code == 0) return 1;
    }
    return exit_code;
}

}  // namespace deskbox
