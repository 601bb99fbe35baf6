#include "supervisor/session/session_runtime.h"

#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "supervisor/base/error.h"
#include "supervisor/session/parts/apps.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/bus.h"
#include "supervisor/session/parts/desktop.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/endpoints.h"
#include "supervisor/session/parts/files.h"
#include "supervisor/session/parts/gate.h"
#include "supervisor/session/parts/proxy.h"
#include "supervisor/session/parts/recording.h"
#include "supervisor/session/parts/reviewers.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/verifier.h"
#include "supervisor/session/preflight.h"
#include "supervisor/session/sd_notify.h"
#include "supervisor/session/session_access.h"
#include "supervisor/session/setup_runner.h"

namespace deskbox {
namespace {

constexpr Millis kStatusRefresh{1000};

}  // namespace

SessionRuntime::SessionRuntime(Plan plan)
    : plan_(std::move(plan)), control_(plan_.manifest.session.name, [this] { write_status(); }) {
    own_.name = plan_.manifest.session.name;
    own_.supervisor_pid = getpid();
    own_.started_at = std::time(nullptr);
    own_.memory_limit = plan_.manifest.sandbox.memory;
    own_.pids_limit = plan_.manifest.sandbox.pids;
    own_.cpu_limit = plan_.manifest.sandbox.cpu;
}

SessionRuntime::~SessionRuntime() {
    try {
        end();
    } catch (const std::exception& e) {
        control_.report(std::string("ending: ") + e.what());
    }
}

int SessionRuntime::run() {
    try {
        start();
    } catch (const std::exception& e) {
        // Any error (a filesystem_error too): what started ends, in reverse order.
        control_.request_stop(std::string("start failed: ") + e.what(), 1);
        end();
        throw;
    }
    std::cerr << "deskbox: session " << control_.name() << " ready on display " << status().display << ", agent socket "
              << status().agent_socket << "\n";
    serve();
    end();
    return control_.exit_code();
}

void SessionRuntime::start() {
    const Plan& plan = plan_;
    const Manifest& m = plan.manifest;
    check_session_can_start(plan);
    DirsPart& dirs = start_part<DirsPart>("session dir", control_);
    // Signals are blocked now, before the sandbox exists and before any thread.
    signal(SIGPIPE, SIG_IGN);
    for (int signo : {SIGTERM, SIGINT, SIGHUP})
        control_.loop().add_signal(
            signo, [this, signo] { control_.request_stop(std::string("received SIG") + sigabbrev_np(signo)); });

    AuditPart& audit = start_part<AuditPart>("audit log", plan, dirs, control_);
    SandboxPart& sandbox = start_part<SandboxPart>("sandbox", plan, dirs, control_);
    const DisplayPart& display = start_part<DisplayPart>("display", plan, dirs, sandbox, control_);
    const BusPart& bus = start_part<BusPart>("session bus", sandbox, display, control_);
    AppLaunch launch;
    launch.env = bus.app_env();
    if (m.network.mode == NetworkMode::Allowlist) {
        const ProxyPart& proxy = start_part<ProxyPart>("egress proxy", m.network, sandbox, audit);
        for (auto& e : proxy.app_env()) launch.env.push_back(std::move(e));
        launch.proxy_url = proxy.url();
    }
    AppsPart& apps = start_part<AppsPart>("apps", plan, sandbox, display, std::move(launch), control_);

    DesktopPart& desktop =
        start_part<DesktopPart>("desktop", DesktopParts{plan, dirs, audit, sandbox, display, bus, apps}, control_);
    GatePart& gate = start_part<GatePart>("gate", plan, desktop, audit, control_);
    const FilesPart& files = start_part<FilesPart>("files", plan, sandbox, desktop, gate, audit, control_);
    VerifierPart& verifier = start_part<VerifierPart>(
        "verifier", VerifierParts{plan, audit, sandbox, display, desktop, gate, files}, control_);

    // Host-owned setup, before the sockets exist: the agent's first view is
    // the state the manifest prepared (READY=1 and status running come later).
    if (!m.setup.empty()) {
        SetupEnvironment setup;
        setup.display = desktop.x();
        setup.executor = &desktop.executor();
        setup.a11y = desktop.a11y();
        setup.secrets = &m.secrets;
        setup.spawn = [&apps](const SetupStep& step) { apps.spawn_setup_process(step); };
        run_setup(m.setup, setup, audit.log());
    }

    start_part<ReviewersPart>("reviewers' view", plan, VncParts{dirs, sandbox, display, control_}, gate, audit);
    start_part<EndpointsPart>("sockets", dirs, desktop, gate, control_, [this] { return status_json(); });
    if (m.observe.record.video) {
        try {
            start_part<RecordingPart>("recording", m.observe.record, display, control_, audit.log());
        } catch (const Error& e) {
            // The session runs without its video; the log says so.
            control_.report(std::string("screen recording unavailable: ") + e.what());
            audit.log().append("warning", {{"what", "screen recording unavailable"}, {"error", e.what()}});
        }
    }
    start_part<EndChecksPart>("end checks", verifier, control_);
}

void SessionRuntime::serve() {
    own_.state = "running";
    const Millis wall = plan_.budget.wall_clock;
    if (wall.count() > 0) {
        own_.wall_clock_deadline = std::time(nullptr) + wall.count() / 1000;
        control_.loop().add_timer(wall, [this, wall] {
            control_.request_stop("wall-clock budget of " + format_duration(wall) + " reached");
        });
    }
    write_status();
    sd_notify("READY=1\nSTATUS=session " + control_.name() + " running on display " + status().display);
    control_.loop().add_timer(kStatusRefresh, [this] { refresh_status(); });
    try {
        control_.loop().run_until([this] { return control_.stopping(); });
    } catch (const std::exception& e) {
        // A callback failed (a full /run, a filesystem error...): the session
        // ends here, through the same teardown as every other end; the
        // reason is the error.
        control_.fail_internally(e.what());
    } catch (...) {
        control_.fail_internally("unknown exception in an event-loop callback");
    }
    std::cerr << "deskbox: session " << control_.name() << " ending: " << control_.reason() << "\n";
}

// Cgroup limit events and budget use reach status.json at this pace.
void SessionRuntime::refresh_status() {
    if (control_.stopping()) return;
    std::vector<std::string> lines;
    bool changed = false;
    if (SandboxPart* sandbox = parts_.find<SandboxPart>()) {
        SandboxPart::LimitEvents events = sandbox->take_limit_events();
        changed = events.changed;
        lines = std::move(events.lines);
    }
    if (changed || status().gate != written_gate_) write_status();
    // status.json first: whoever reads the stderr line finds the event in status already.
    for (const auto& line : lines) control_.report(line);
    control_.loop().add_timer(kStatusRefresh, [this] { refresh_status(); });
}

void SessionRuntime::announce_stopping() {
    own_.state = "stopping";
    sd_notify("STOPPING=1\nSTATUS=session " + control_.name() + " stopping");
    try {
        write_status();
    } catch (const Error&) {
    }
}

void SessionRuntime::end() {
    if (ended_) return;
    ended_ = true;
    announce_stopping();
    control_.set_reason_if_none("stopped");
    OrderedParts::StopObserver observer;
    observer.on_problem = [this](const std::string& problem) { control_.add_problem(problem); };
    // A stopped part's last state stays in status.json (the apps' last exits...).
    observer.on_stopped = [this](const Part& p) {
        if (auto* part = dynamic_cast<const SessionPart*>(&p)) part->describe(stopped_parts_);
    };
    // Every part after the audit log: the checks, the sockets, the apps and
    // every other process, the sandbox.
    parts_.stop_after(parts_.find<AuditPart>(), observer);
    // The last status.json (kept beside the audit log), then the audit
    // log's teardown record, then the session dir and the lock.
    own_.state = control_.problems().empty() ? "ended" : "failed";
    try {
        write_status();
    } catch (const Error&) {
    }
    parts_.stop_all(observer);
    for (const auto& p : control_.problems()) control_.report("teardown: " + p);
}

SessionStatus SessionRuntime::status() const {
    SessionStatus status = stopped_parts_;
    status.name = own_.name;
    status.state = own_.state;
    status.supervisor_pid = own_.supervisor_pid;
    status.started_at = own_.started_at;
    status.wall_clock_deadline = own_.wall_clock_deadline;
    status.memory_limit = own_.memory_limit;
    status.pids_limit = own_.pids_limit;
    status.cpu_limit = own_.cpu_limit;
    status.reason = control_.reason();
    parts_.for_each([&status](const Part& p) {
        if (auto* part = dynamic_cast<const SessionPart*>(&p)) part->describe(status);
    });
    return status;
}

void SessionRuntime::write_status() {
    const DirsPart* dirs = parts_.find<DirsPart>();
    if (!dirs) return;
    const SessionStatus current = status();
    write_status_file(dirs->status_file(), current, session_access().status_group);
    written_gate_ = current.gate;
}

int run_session(Plan plan) {
    SessionRuntime runtime(std::move(plan));
    return runtime.run();
}

}  // namespace deskbox
