#include "supervisor/session/session.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <iostream>

#include "supervisor/base/error.h"
#include "supervisor/base/exec_path.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/app_ready.h"
#include "supervisor/session/browser_flags.h"
#include "supervisor/session/desktop_setup.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/sd_notify.h"
#include "supervisor/session/session_access.h"
#include "supervisor/session/session_services.h"
#include "xsession/display/x_connection.h"
#include "xsession/display/xvfb.h"

namespace deskbox {
namespace {

constexpr const char* kSandboxPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
constexpr std::int64_t kStopGraceMs = 5'000;
constexpr Millis kStatusRefresh{1000};

// The sandbox binds the host's /usr, /bin...: a command found in the host's
// copy of the sandbox PATH will be found inside too.
bool found_in_sandbox_path(const std::string& cmd) {
    const std::string found = search_exec_path(cmd, kSandboxPath);
    return !found.empty() && access(found.c_str(), X_OK) == 0;
}

void make_dir(const std::filesystem::path& dir, mode_t mode) {
    if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_errno("creating " + dir.string());
    if (chmod(dir.c_str(), mode) != 0) throw_errno("setting the mode of " + dir.string());
}

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

}  // namespace

Session::Session(Plan plan) : plan_(std::move(plan)) {
    // Whichever step pumps the loop (the run loop, a verify command's wait,
    // an accessibility query's urgent wait, a start step), an exception in a
    // callback ends the session through its teardown.
    loop_.on_callback_error([this](const std::string& what) { fail_internally(what); });
    status_.name = plan_.manifest.session.name;
    status_.supervisor_pid = getpid();
    status_.started_at = std::time(nullptr);
}

Session::~Session() {
    try {
        teardown();
    } catch (const std::exception& e) {
        std::cerr << "deskbox: tearing down session " << name() << ": " << e.what() << "\n";
    }
}

// ---- step 1: everything validated, session dir, lock, status ----

void Session::prepare(const PartsStatusSource& parts) {
    parts_ = &parts;
    validate_session_name(name());
    const Manifest& m = plan_.manifest;
    validate_sandbox_options(sandbox_options(plan_, "/"));
    if (!found_in_sandbox_path("Xvfb")) throw Error("display: Xvfb not found (install the xvfb package)");
    for (const auto& app : m.apps) {
        if (app.exec.empty()) throw Error("apps." + app.name + ": empty exec");
        if (!found_in_sandbox_path(sandbox::expand_app_home(app.exec[0])) && app.exec[0].rfind("~/", 0) != 0)
            throw Error("apps." + app.name + ": '" + app.exec[0] + "' is not found in the sandbox PATH " +
                        kSandboxPath);
    }
    if (!m.session.display.window_manager.empty() && !found_in_sandbox_path(m.session.display.window_manager[0]))
        throw Error("session.display.window_manager: '" + m.session.display.window_manager[0] + "' is not found");
    if (m.session.display.window_manager_mode == DisplaySpec::WindowManager::Default) {
        if (!found_in_sandbox_path("jwm"))
            throw Error(
                "session.display.window_manager: the default window manager jwm is not installed "
                "(apt-get install jwm), or set window_manager: none");
        if (!std::filesystem::exists(window_manager_config_source()))
            throw Error("session.display.window_manager: the default jwm configuration " +
                        window_manager_config_source().string() + " is missing (meson install puts it there)");
    }

    const auto parent = runtime_parent();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw Error("creating " + parent.string() + ": " + ec.message());
    lock_ = SessionLock::acquire(session_lock_path(name()), name());
    session_dir_ = deskbox::session_dir(name());
    staging_dir_ = deskbox::staging_dir(name());
    // A leftover of a killed run whose janitor died too: keep its audit log, remove the rest.
    for (const auto& problem : cleanup_session({{}, session_dir_, logs_dir(name())}))
        throw Error("cleaning up an earlier run of " + name() + ": " + problem);
    // 0711 as root: group members reach the sockets by name, nobody lists the dir (session_access.h).
    make_dir(session_dir_, session_access().dir_mode);
    make_dir(staging_dir_, 0755);
    status_.memory_limit = m.sandbox.memory;
    status_.pids_limit = m.sandbox.pids;
    status_.cpu_limit = m.sandbox.cpu;
    for (const auto& app : m.apps) status_.apps.push_back({app.name});
    write_status();

    // Signals are blocked now, before the sandbox exists and before any thread.
    signal(SIGPIPE, SIG_IGN);
    for (int signo : {SIGTERM, SIGINT, SIGHUP})
        loop_.add_signal(signo, [this, signo] { request_stop(std::string("received SIG") + sigabbrev_np(signo)); });
}

// ---- step 2: the sandbox ----

void Session::start_sandbox() {
    sandbox_ = sandbox::Sandbox::contain(sandbox_options(plan_, staging_dir_));
    std::vector<std::pair<int, std::filesystem::path>> locks = {{lock_.fd(), lock_.path()}};
    const auto& ids = sandbox_->id_reservation();
    if (ids.lock) locks.emplace_back(ids.lock.get(), ids.lock_path);
    janitor_ = Janitor::start({sandbox_->cgroup().folders(), session_dir_, logs_dir(name())}, locks);

    spawner_ = std::make_unique<sandbox::SandboxSpawner>(sandbox_->control_fd(), loop_);
    spawner_->set_on_init_lost([this] {
        if (!stopping_) request_stop("the sandbox init exited unexpectedly", 1);
    });
    const int log = sandbox_->log_fd();
    fcntl(log, F_SETFL, fcntl(log, F_GETFL) | O_NONBLOCK);
    loop_.add_fd(log, EPOLLIN, [this](std::uint32_t) { on_log_readable(); });

    status_.init_pid = sandbox_->init_pid();
    status_.host_uid_base = sandbox_->ids().host_uid;
    status_.cgroup_version = sandbox_->cgroup().version();
    for (const auto& f : sandbox_->cgroup().folders()) status_.cgroup_paths.push_back(f.string());
    write_status();
}

void Session::on_log_readable() {
    char buf[4096];
    for (;;) {
        const ssize_t n = read(sandbox_->log_fd(), buf, sizeof buf);
        if (n <= 0) {
            if (n == 0) loop_.remove_fd(sandbox_->log_fd());
            return;
        }
        log_partial_.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = log_partial_.find('\n')) != std::string::npos) {
            std::cerr << "[" << name() << "] " << log_partial_.substr(0, nl) << "\n";
            log_partial_.erase(0, nl + 1);
        }
        if (log_partial_.size() > 8192) {  // a line without end: pass it on in pieces
            std::cerr << "[" << name() << "] " << log_partial_ << "\n";
            log_partial_.clear();
        }
    }
}

// ---- step 3: the display ----

void Session::start_display() {
    const DisplaySpec& d = plan_.manifest.session.display;
    const auto auth = xauthority_host();
    {
        // Created here, owned by the sandbox user: Xvfb (the sandbox user) must read it.
        UniqueFd fd(open(auth.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw_errno("creating " + auth.string());
        const auto& ids = sandbox_->ids();
        if (fchown(fd.get(), ids.host_uid_of(sandbox::kAppUid), ids.host_gid_of(sandbox::kAppGid)) != 0)
            throw_errno("chown of " + auth.string());
    }
    XvfbOptions o;
    o.width = d.width;
    o.height = d.height;
    o.depth = d.depth;
    o.glx = d.glx;
    o.auth_file_host = auth.string();
    o.auth_file_child = std::string(sandbox::kStagingInside) + "/Xauthority";
    o.extra_env = base_env();
    o.on_exit = [this](int status) {
        if (!stopping_) request_stop("the X server " + describe_wait_status(status), 1);
    };
    const XvfbServer server = start_xvfb(*spawner_, loop_, o);
    xvfb_pid_ = server.pid;
    display_number_ = server.display_number;
    x_cookie_ = server.cookie;
    status_.display = ":" + std::to_string(server.display_number);
    write_status();
    // The resources are in place before the window manager and the apps
    // start: toolkits read them once, when they connect.
    const UniqueFd netns = open_netns();
    const XConnection x = XConnection::open(display_number_, x_cookie_, netns.get());
    load_desktop_resources(x.get());
    const std::vector<std::string> wm_argv = window_manager_argv(d, stage_window_manager_config(d));
    if (wm_argv.empty()) return;
    SpawnRequest wm;
    wm.name = "window manager";
    wm.argv = wm_argv;
    wm.env = base_env();
    // Xlib parses the locale's whole Compose table (thousands of lines) when
    // a window manager opens its input method (a third of openbox's start-up
    // CPU); a window manager composes no text, so it gets none (the apps keep
    // theirs).
    wm.env.push_back("XCOMPOSEFILE=/dev/null");
    spawner_->spawn(wm, [this](int status) {
        if (!stopping_)
            std::cerr << "deskbox: session " << name() << ": window manager " << describe_wait_status(status) << "\n";
    });
    // Waited for in start_apps(): it starts while the buses and the network start.
    window_manager_started_ = wm_argv[0];
}

// The default window manager's jwmrc, copied where the sandbox user reads it;
// empty when the manifest chose another window manager or none.
std::string Session::stage_window_manager_config(const DisplaySpec& d) const {
    if (d.window_manager_mode != DisplaySpec::WindowManager::Default) return {};
    const auto rc = staging_dir_ / "jwmrc";
    std::error_code ec;
    std::filesystem::copy_file(window_manager_config_source(), rc, std::filesystem::copy_options::overwrite_existing,
                               ec);
    if (ec) throw Error("copying the window manager's configuration into the session: " + ec.message());
    std::filesystem::permissions(rc, std::filesystem::perms(0644), ec);
    return staging_child("jwmrc");
}

std::vector<std::string> Session::base_env() const {
    std::vector<std::string> env = {
        std::string("HOME=") + sandbox::kAppHome, "USER=agent",   "LOGNAME=agent", "SHELL=/bin/sh",
        std::string("PATH=") + kSandboxPath,      "LANG=C.UTF-8", "TMPDIR=/tmp",   "XDG_RUNTIME_DIR=/run/user/1000",
    };
    if (!status_.display.empty()) {
        env.push_back("DISPLAY=" + status_.display);
        env.push_back(std::string("XAUTHORITY=") + sandbox::kStagingInside + "/Xauthority");
        env.push_back("XDG_SESSION_TYPE=x11");
        for (auto& e : desktop_env()) env.push_back(std::move(e));
    }
    return env;
}

// ---- step 4: apps ----

void Session::start_apps(AppLaunch launch) {
    launch_ = std::move(launch);
    if (!window_manager_started_.empty()) {
        const UniqueFd netns = open_netns();
        const XConnection x = XConnection::open(display_number_, x_cookie_, netns.get());
        wait_for_desktop_window_manager(x.get(), window_manager_started_);
    }
    // A failure to start stops the session start.
    for (std::size_t i = 0; i < plan_.manifest.apps.size(); ++i) start_app(i);
    write_status();
    wait_until_apps_ready();
}

void Session::wait_until_apps_ready() {
    const UniqueFd netns = open_netns();  // the display listens inside the sandbox only
    wait_for_app_windows(display_number_, x_cookie_, netns.get(), plan_.manifest.apps);
}

void Session::start_app(std::size_t index) {
    const AppSpec& spec = plan_.manifest.apps[index];
    SpawnRequest r;
    r.name = "app " + spec.name;
    for (const auto& a : spec.exec) r.argv.push_back(sandbox::expand_app_home(a));
    r.env = base_env();
    r.env.insert(r.env.end(), launch_.env.begin(), launch_.env.end());
    for (const auto& [k, v] : spec.env) r.env.push_back(k + "=" + v);
    add_browser_flags(r.argv, launch_.proxy_url);
    r.cwd = sandbox::expand_app_home(spec.cwd);
    r.browser_sandbox = spec.browser_sandbox;
    const ProcessId pid = spawner_->spawn(
        r, [this, index](int status) { on_app_exit(index, status); }, sandbox::kAppOomScoreAdj);
    AppStatus& st = status_.apps[index];
    st.pid = pid;
    st.state = "running";
}

void Session::spawn_setup_process(const SetupStep& step) {
    SpawnRequest r;
    r.env = base_env();
    r.env.insert(r.env.end(), launch_.env.begin(), launch_.env.end());
    r.cwd = sandbox::expand_app_home("~");
    if (step.kind == SetupStep::Kind::Open) {
        const auto& apps = plan_.manifest.apps;
        const auto app = std::find_if(apps.begin(), apps.end(), [&](const AppSpec& a) { return a.name == step.app; });
        if (app == apps.end()) throw Error("no app named '" + step.app + "'");
        const AppSpec& spec = *app;
        for (const auto& a : spec.exec) r.argv.push_back(sandbox::expand_app_home(a));
        for (const auto& [k, v] : spec.env) r.env.push_back(k + "=" + v);
        add_browser_flags(r.argv, launch_.proxy_url);
        r.argv.push_back(step.url.empty() ? sandbox::expand_app_home(step.file) : step.url);
        r.cwd = sandbox::expand_app_home(spec.cwd);
        r.browser_sandbox = spec.browser_sandbox;
        r.name = "setup open in " + spec.name;
    } else {
        for (const auto& a : step.exec) r.argv.push_back(sandbox::expand_app_home(a));
        r.name = "setup launch " + step.exec.front();
    }
    const std::string label = r.name;
    spawner_->spawn(
        r,
        [this, label](int status) {
            if (!stopping_ && status != 0)
                std::cerr << "deskbox: session " << name() << ": " << label << " ended (status " << status << ")\n";
        },
        sandbox::kAppOomScoreAdj);
}

void Session::on_app_exit(std::size_t index, int wait_status) {
    const AppSpec& spec = plan_.manifest.apps[index];
    AppStatus& st = status_.apps[index];
    st.last_exit = describe_wait_status(wait_status);
    st.pid = 0;
    const bool failure = !(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
    if (stopping_) {
        st.state = "exited";
        return;
    }
    std::cerr << "deskbox: session " << name() << ": app " << spec.name << " " << st.last_exit << "\n";
    if (failure && spec.restart == RestartPolicy::OnFailure && st.restarts < spec.max_restarts) {
        ++st.restarts;
        st.state = "restarting";
        std::cerr << "deskbox: session " << name() << ": restarting app " << spec.name << " (" << st.restarts << " of "
                  << spec.max_restarts << ")\n";
        try {
            start_app(index);
        } catch (const Error& e) {
            std::cerr << "deskbox: session " << name() << ": " << e.what() << "\n";
            st.state = "failed";
        }
    } else {
        st.state = failure ? "failed" : "exited";
    }
    write_status();
    check_all_apps_done();
}

void Session::check_all_apps_done() {
    bool any_failed = false;
    for (const AppStatus& app : status_.apps) {
        if (app.state != "exited" && app.state != "failed") return;
        any_failed = any_failed || app.state == "failed";
    }
    request_stop(any_failed ? "all apps ended, some failed" : "all apps exited", any_failed ? 1 : 0);
}

// ---- run loop and teardown ----

void Session::request_stop(const std::string& reason, int exit_code) {
    ++stop_requests_;
    if (stopping_) return;
    stopping_ = true;
    status_.reason = reason;
    exit_code_ = exit_code;
    loop_.stop();
}

void Session::fail_internally(const std::string& what) {
    ++stop_requests_;
    fail_with(1);
    if (!error_.empty() || stopping_announced_) {
        // The session already ends for an earlier reason: this error is only reported.
        std::cerr << "deskbox: session " << name() << ": internal error: " << what << "\n";
        if (error_.empty()) error_ = what;
        return;
    }
    error_ = what;
    stopping_ = true;
    status_.reason = "internal error: " + what;
    loop_.stop();
}

Spawner& Session::spawner() {
    if (!spawner_) throw Error("session " + name() + ": the sandbox is not started");
    return *spawner_;
}

UniqueFd Session::open_netns() const {
    if (!sandbox_) throw Error("session " + name() + ": the sandbox is not started");
    return sandbox_->open_netns();
}

void Session::refresh_limit_events() {
    if (!sandbox_) return;
    const sandbox::CgroupEvents e = sandbox_->cgroup().events();
    const bool changed = e.memory_max != status_.memory_max_events || e.oom_kill != status_.oom_kills ||
                         e.pids_max != status_.pids_max_events;
    if (!changed) return;
    // status.json first: whoever reads the stderr line finds the event in status already.
    const bool pids_hit = e.pids_max != status_.pids_max_events, oom = e.oom_kill != status_.oom_kills;
    status_.memory_max_events = e.memory_max;
    status_.oom_kills = e.oom_kill;
    status_.pids_max_events = e.pids_max;
    write_status();
    if (pids_hit)
        std::cerr << "deskbox: session " << name() << ": pids limit reached (" << e.pids_max << " refused forks)\n";
    if (oom) std::cerr << "deskbox: session " << name() << ": out of memory, " << e.oom_kill << " process(es) killed\n";
}

std::string Session::staging_child(const std::string& file) const {
    return std::string(sandbox::kStagingInside) + "/" + file;
}

SessionStatus Session::current_status() const {
    SessionStatus status = status_;
    if (parts_) {
        PartsStatus p = parts_->parts_status();
        status.vnc = std::move(p.vnc);
        status.agent_socket = std::move(p.agent_socket);
        status.review_socket = std::move(p.review_socket);
        status.gate = std::move(p.gate);
    }
    return status;
}

nlohmann::json Session::status_json() const {
    return status_to_json(current_status());
}

void Session::write_status() {
    if (session_dir_.empty()) return;
    const SessionStatus status = current_status();
    write_status_file(session_dir_ / "status.json", status, session_access().status_group);
    written_gate_ = status.gate;
}

int Session::run() {
    status_.state = "running";
    const Millis wall = plan_.budget.wall_clock;
    if (wall.count() > 0) {
        status_.wall_clock_deadline = std::time(nullptr) + wall.count() / 1000;
        loop_.add_timer(wall,
                        [this, wall] { request_stop("wall-clock budget of " + format_duration(wall) + " reached"); });
    }
    write_status();
    sd_notify("READY=1\nSTATUS=session " + name() + " running on display " + status_.display);
    std::function<void()> refresh = [this, &refresh] {
        refresh_limit_events();
        // Budget use changes with every action; it reaches status.json at this pace.
        if (parts_ && parts_->parts_status().gate != written_gate_) write_status();
        if (!stopping_) loop_.add_timer(kStatusRefresh, refresh);
    };
    loop_.add_timer(kStatusRefresh, refresh);
    try {
        loop_.run_until([this] { return stopping_; });
    } catch (const std::exception& e) {
        // A callback failed (a full /run, a filesystem error...): the session
        // ends here, through the same teardown as every other end, while
        // everything the teardown uses still exists; the reason is the error.
        fail_internally(e.what());
    } catch (...) {
        fail_internally("unknown exception in an event-loop callback");
    }
    std::cerr << "deskbox: session " << name() << " ending: " << status_.reason << "\n";
    announce_stopping();
    return exit_code_;
}

void Session::teardown() {
    stop_processes();
    finish(exit_code_);
}

void Session::announce_stopping() {
    stopping_ = true;
    if (stopping_announced_) return;
    stopping_announced_ = true;
    sd_notify("STOPPING=1\nSTATUS=session " + name() + " stopping");
    status_.state = "stopping";
    try {
        write_status();
    } catch (const Error&) {
    }
}

int Session::stop_processes() {
    if (torn_down_) return exit_code_;
    torn_down_ = true;
    announce_stopping();
    std::vector<std::string>& problems = problems_;
    if (sandbox_) {
        // Orderly first: SIGTERM to every process, a grace period for the ones we started.
        if (spawner_ && spawner_->running() > 0 && !sandbox_->init_exited()) {
            sandbox_->terminate();
            const std::int64_t deadline = monotonic_ms() + kStopGraceMs;
            try {
                while (spawner_->running() > 0 && monotonic_ms() < deadline)
                    loop_.run_once(Millis(deadline - monotonic_ms()));
            } catch (const std::exception& e) {
                // A callback failed while the apps ended: the rest of the teardown still runs.
                problems.push_back(std::string("while the apps ended: ") + e.what());
                if (error_.empty()) error_ = e.what();
            }
        }
        try {
            refresh_limit_events();
        } catch (const std::exception&) {
        }
        loop_.remove_fd(sandbox_->log_fd());
        spawner_.reset();
        try {
            sandbox_->destroy();
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    status_.state = problems.empty() ? "ended" : "failed";
    if (status_.reason.empty()) status_.reason = "stopped";
    try {
        write_status();
    } catch (const Error&) {
    }
    if (!problems.empty() && exit_code_ == 0) exit_code_ = 1;
    return exit_code_;
}

int Session::finish(int exit_code) {
    if (finished_) return exit_code_;
    finished_ = true;
    exit_code_ = exit_code;
    std::vector<std::string>& problems = problems_;
    if (!session_dir_.empty()) {
        for (auto& p : cleanup_session({{}, session_dir_, logs_dir(name())})) problems.push_back(p);
    }
    janitor_.dismiss();
    lock_.release();
    for (const auto& p : problems) std::cerr << "deskbox: session " << name() << ": teardown: " << p << "\n";
    if (!problems.empty() && exit_code_ == 0) exit_code_ = 1;
    return exit_code_;
}

int Session::end_failed_start(const std::string& reason) {
    status_.reason = reason;
    fail_with(1);
    return stop_processes();
}

int run_session(Plan plan) {
    Session session(std::move(plan));
    SessionServices services(session);
    // Every process is gone: the teardown record is the audit log's last,
    // written before the session dir is cleaned up, also when the session
    // never got to run.
    auto finish = [&session, &services](int exit_code) {
        return session.finish(services.record_teardown(exit_code, session.teardown_problems()));
    };
    try {
        // Inside the try: the session reads `services` when it writes its
        // status, so it is torn down here, while `services` still exists.
        session.prepare(services);
        services.open_audit();
        session.start_sandbox();  // before any thread: the proxy and netns helpers start threads
        session.start_display();
        AppLaunch launch;
        launch.env = services.start_accessibility_bus();
        AppLaunch network = services.start_network();
        launch.env.insert(launch.env.end(), network.env.begin(), network.env.end());
        launch.proxy_url = network.proxy_url;
        session.start_apps(std::move(launch));
        services.start_control();
    } catch (const std::exception& e) {
        // Any error (a filesystem_error too) is torn down here, while
        // `services` still exists: its sockets close before the processes stop.
        services.close_endpoints();
        finish(session.end_failed_start(std::string("start failed: ") + e.what()));
        throw;
    }
    std::cerr << "deskbox: session " << session.name() << " ready on display " << session.display() << ", agent socket "
              << (session.session_dir() / "agent.sock").string() << "\n";
    session.run();
    // The end, in order: the services' own (verify checks, recording, sockets,
    // collected files) while the apps still run, then the processes.
    session.fail_with(services.end_of_session());
    return finish(session.stop_processes());
}

// Walks the parent chain in the sandbox's own /proc (pids there are the
// session's, as X and AT-SPI report them) until it meets an app's first process.
std::string Session::app_of_pid(int pid) const {
    if (!sandbox_) throw Error("which app owns pid " + std::to_string(pid) + ": the sandbox is not running");
    const std::string proc = "/proc/" + std::to_string(sandbox_->init_pid()) + "/root/proc/";
    int current = pid;
    for (int depth = 0; depth < 64 && current > 1; ++depth) {
        for (const AppStatus& app : status_.apps)
            if (app.pid == current) return app.name;
        const std::string path = proc + std::to_string(current) + "/stat";
        UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd)
            throw_errno("which app owns pid " + std::to_string(pid) + ": reading the session's /proc/" +
                        std::to_string(current) + "/stat");
        char buf[1024];
        const ssize_t n = read(fd.get(), buf, sizeof buf - 1);
        if (n <= 0)
            throw_errno("which app owns pid " + std::to_string(pid) + ": reading /proc/" + std::to_string(current) +
                        "/stat");
        const std::string stat(buf, static_cast<std::size_t>(n));
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const auto close = stat.rfind(')');
        int parent = -1;
        if (close == std::string::npos || std::sscanf(stat.c_str() + close + 1, " %*c %d", &parent) != 1)
            throw Error("which app owns pid " + std::to_string(pid) + ": /proc/" + std::to_string(current) +
                        "/stat is not readable");
        current = parent;
    }
    return {};
}

}  // namespace deskbox
