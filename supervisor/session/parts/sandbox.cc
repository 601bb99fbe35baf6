#include "supervisor/session/parts/sandbox.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <iostream>

#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/desktop_setup.h"
#include "supervisor/session/paths.h"

namespace deskbox {
namespace {

constexpr std::int64_t kStopGraceMs = 5'000;

}  // namespace

sandbox::SandboxOptions sandbox_options(const Plan& plan, const std::filesystem::path& staging) {
    const SandboxSpec& s = plan.manifest.sandbox;
    sandbox::SandboxOptions o;
    o.name = plan.manifest.session.name;
    o.staging_dir = staging;
    o.idmap_lock_dir = idmap_lock_dir();
    o.cgroup = {s.memory, s.pids, s.cpu};
    o.process.nofile = s.nofile;
    o.process.max_file_size = s.max_file_size;
    o.home_size = s.home_size;
    o.tmp_size = s.tmp_size;
    for (const auto& f : s.files) o.files.push_back({f.from, f.to, f.mode == PlaceMode::Copy});
    for (const auto& app : plan.manifest.apps) o.browser_filter = o.browser_filter || app.browser_sandbox;
    return o;
}

std::vector<std::string> sandbox_env(const std::string& display) {
    std::vector<std::string> env = {
        std::string("HOME=") + sandbox::kAppHome, "USER=agent",   "LOGNAME=agent", "SHELL=/bin/sh",
        std::string("PATH=") + kSandboxPath,      "LANG=C.UTF-8", "TMPDIR=/tmp",   "XDG_RUNTIME_DIR=/run/user/1000",
    };
    if (!display.empty()) {
        env.push_back("DISPLAY=" + display);
        env.push_back(std::string("XAUTHORITY=") + sandbox::kStagingInside + "/Xauthority");
        env.push_back("XDG_SESSION_TYPE=x11");
        for (auto& e : desktop_env()) env.push_back(std::move(e));
    }
    return env;
}

SandboxPart::SandboxPart(const Plan& plan, const DirsPart& dirs, SessionControl& control)
    : control_(control), sandbox_(sandbox::Sandbox::contain(sandbox_options(plan, dirs.staging_dir()))) {
    std::vector<std::pair<int, std::filesystem::path>> locks = {{dirs.lock().fd(), dirs.lock().path()}};
    const auto& ids = sandbox_->id_reservation();
    if (ids.lock) locks.emplace_back(ids.lock.get(), ids.lock_path);
    janitor_ = Janitor::start({sandbox_->cgroup().folders(), dirs.session_dir(), logs_dir(control.name())}, locks);

    spawner_ = std::make_unique<sandbox::SandboxSpawner>(sandbox_->control_fd(), control.loop());
    spawner_->set_on_init_lost([&control] {
        if (!control.stopping()) control.request_stop("the sandbox init exited unexpectedly", 1);
    });
    const int log = sandbox_->log_fd();
    fcntl(log, F_SETFL, fcntl(log, F_GETFL) | O_NONBLOCK);
    control.loop().add_fd(log, EPOLLIN, [this](std::uint32_t) { on_log_readable(); });
}

void SandboxPart::on_log_readable() {
    char buf[4096];
    for (;;) {
        const ssize_t n = read(sandbox_->log_fd(), buf, sizeof buf);
        if (n <= 0) {
            if (n == 0) control_.loop().remove_fd(sandbox_->log_fd());
            return;
        }
        log_partial_.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = log_partial_.find('\n')) != std::string::npos) {
            std::cerr << "[" << control_.name() << "] " << log_partial_.substr(0, nl) << "\n";
            log_partial_.erase(0, nl + 1);
        }
        if (log_partial_.size() > 8192) {  // a line without end: pass it on in pieces
            std::cerr << "[" << control_.name() << "] " << log_partial_ << "\n";
            log_partial_.clear();
        }
    }
}

void SandboxPart::terminate_processes() {
    if (terminated_) return;
    terminated_ = true;
    if (!spawner_ || spawner_->running() == 0 || sandbox_->init_exited()) return;
    sandbox_->terminate();
    const std::int64_t deadline = monotonic_ms() + kStopGraceMs;
    try {
        while (spawner_->running() > 0 && monotonic_ms() < deadline)
            control_.loop().run_once(Millis(deadline - monotonic_ms()));
    } catch (const std::exception& e) {
        // A callback failed while the processes ended: the rest of the teardown still runs.
        control_.add_problem(std::string("while the apps ended: ") + e.what());
    }
}

SandboxPart::LimitEvents SandboxPart::take_limit_events() {
    const sandbox::CgroupEvents e = sandbox_->cgroup().events();
    LimitEvents out;
    out.changed =
        e.memory_max != events_.memory_max || e.oom_kill != events_.oom_kill || e.pids_max != events_.pids_max;
    if (e.pids_max != events_.pids_max)
        out.lines.push_back("pids limit reached (" + std::to_string(e.pids_max) + " refused forks)");
    if (e.oom_kill != events_.oom_kill)
        out.lines.push_back("out of memory, " + std::to_string(e.oom_kill) + " process(es) killed");
    events_ = e;
    return out;
}

void SandboxPart::stop() {
    terminate_processes();
    control_.loop().remove_fd(sandbox_->log_fd());
    spawner_.reset();
    try {
        sandbox_->destroy();
    } catch (const std::exception& e) {
        control_.add_problem(e.what());
    }
    janitor_.dismiss();
}

void SandboxPart::describe(SessionStatus& status) const {
    status.init_pid = sandbox_->init_pid();
    status.host_uid_base = sandbox_->ids().host_uid;
    status.cgroup_version = sandbox_->cgroup().version();
    for (const auto& f : sandbox_->cgroup().folders()) status.cgroup_paths.push_back(f.string());
    status.memory_max_events = events_.memory_max;
    status.oom_kills = events_.oom_kill;
    status.pids_max_events = events_.pids_max;
}

}  // namespace deskbox
