// One session, start to end, as explicit ordered steps:
//
//   Session s(plan);
//   s.prepare(parts);   validate everything, session dir + lock + status.json, signals   (no privileged step before)
//   s.start_sandbox();  sandbox (namespaces, filesystem, cgroup, init), janitor, spawner
//   s.start_display();  Xvfb inside the sandbox (cookie in the staging dir), the X resources,
//                       the window manager started (docs/display.md, "The default desktop")
//   s.start_apps(launch); waits until the window manager runs, then the manifest's apps, as the
//                       sandbox user, with DISPLAY/XAUTHORITY and what `launch` adds (the buses'
//                       and the proxy's environment); waits for the windows named by their
//                       `ready:` (wm_class/title)
//   s.run();            event loop until a signal, the wall clock, the end of all apps or of init;
//                       the session is then "stopping" (the apps still run)
//   s.stop_processes(); every process stopped (the destructor does it too)
//   s.finish(code);     final cleanup (session dir, janitor, lock), after the owner's teardown record
//
// Other areas plug in between the steps (agent socket, VNC, proxy, gate,
// audit) using loop(), spawner(), open_netns(), staging_dir(), session_dir().
// Their own end is run_session's to order (between run() and
// stop_processes()); the session calls nothing of theirs.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/sandbox_spawner.h"
#include "supervisor/session/cleanup.h"
#include "supervisor/session/session_lock.h"
#include "supervisor/session/status.h"

namespace deskbox {

// What the apps get from the session's other parts, handed to start_apps()
// by run_session: environment (the session bus and AT-SPI, the egress
// proxy) and the proxy's URL for a browser's flags ("" without a proxy).
struct AppLaunch {
    std::vector<std::string> env;
    std::string proxy_url;
};

class Session {
public:
    explicit Session(Plan plan);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // `parts` (owned by the runtime, outliving the session) is read for the
    // sockets, the reviewers' view and the gate whenever status.json is written.
    void prepare(const PartsStatusSource& parts);
    void start_sandbox();
    void start_display();
    void start_apps(AppLaunch launch);
    // Serves the loop until a stop is asked for (or a callback failed); the
    // session is then "stopping" (STOPPING=1, status.json) with its apps
    // still running, so its owner can end its own parts first. Returns the
    // exit code so far.
    int run();
    // Stops every sandboxed process and the sandbox (SIGTERM, a grace period,
    // SIGKILL); the final status.json. Returns the exit code.
    int stop_processes();

    // Ends the session (from any loop callback): run() tears down and returns.
    void request_stop(const std::string& reason, int exit_code = 0);
    // An event-loop callback threw: the session ends through the same teardown,
    // with exit code 1; `what` goes to the teardown record and stderr.
    void fail_internally(const std::string& what);
    // The error that ended the session (a callback's exception), "" when none did.
    const std::string& error() const { return error_; }
    // A start step failed: stop every process now with this reason; returns
    // the exit code (finish() follows).
    int end_failed_start(const std::string& reason);
    // Final cleanup after run() or end_failed_start() stopped the processes
    // (the owner writes its teardown record in between): session dir cleaned,
    // janitor dismissed, lock released. Returns the exit code to use.
    int finish(int exit_code);
    // What went wrong while the processes stopped (for the teardown record).
    const std::vector<std::string>& teardown_problems() const { return problems_; }

    EventLoop& loop() { return loop_; }
    Spawner& spawner();
    // A new fd of the sandbox's network namespace (for socket_in_netns / run_in_netns).
    UniqueFd open_netns() const;
    const Plan& plan() const { return plan_; }
    const std::string& name() const { return plan_.manifest.session.name; }
    const std::filesystem::path& session_dir() const { return session_dir_; }
    // Host side of /run/deskbox inside the sandbox (read-only there; owned by the sandbox user).
    const std::filesystem::path& staging_dir() const { return staging_dir_; }
    // The session's X display (":N"), empty before start_display().
    const std::string& display() const { return status_.display; }
    // The display's MIT-MAGIC-COOKIE-1 (16 raw bytes) and number, for the
    // supervisor's own X connections (XConnection::open(number, cookie, netns fd)).
    const std::string& x_cookie() const { return x_cookie_; }
    int display_number() const { return display_number_; }
    // The Xauthority file on the host side (the sandbox sees /run/deskbox/Xauthority).
    std::filesystem::path xauthority_host() const { return staging_dir_ / "Xauthority"; }
    sandbox::Sandbox& sandbox() { return *sandbox_; }
    // The environment every sandboxed process starts with (HOME, PATH, XDG_RUNTIME_DIR, DISPLAY...).
    std::vector<std::string> base_env() const;
    void write_status();

    bool stopping() const { return stopping_; }
    // How many times a stop was asked for (SIGTERM, `deskbox stop`...), also
    // while already stopping: a change interrupts a running verify command.
    std::uint64_t stop_requests() const { return stop_requests_; }
    const std::string& stop_reason() const { return status_.reason; }
    // Raises the exit code (never lowers a failure to success).
    void fail_with(int exit_code) {
        if (exit_code_ == 0) exit_code_ = exit_code;
    }
    // A path in the staging dir as the sandbox sees it (/run/deskbox/NAME).
    std::string staging_child(const std::string& file) const;
    std::string xauthority_child() const { return staging_child("Xauthority"); }
    nlohmann::json status_json() const;
    // The manifest app (apps[].name) whose process tree holds the session pid
    // `pid`; "" when none does (Xvfb, the helper). Throws deskbox::Error when
    // the session's /proc cannot be read.
    std::string app_of_pid(int pid) const;
    // A setup step's process (setup_runner.h): `open` starts the named app's
    // exec again with the URL or file appended (a running browser or office
    // suite hands it to its first process); `launch` starts its own exec.
    // Not an app: its exit is logged, never restarted, and ends nothing.
    void spawn_setup_process(const SetupStep& step);

private:
    // Apps are known by their index in the manifest, their state only by
    // status_.apps[index] (what status.json shows).
    void start_app(std::size_t index);
    void wait_until_apps_ready();
    void on_app_exit(std::size_t index, int wait_status);
    void check_all_apps_done();
    void refresh_limit_events();
    void on_log_readable();
    // status_ with the parts' current state read in.
    SessionStatus current_status() const;
    void announce_stopping();
    void teardown();  // stop_processes() and finish(), for the destructor
    std::string stage_window_manager_config(const DisplaySpec& display) const;

    Plan plan_;
    EventLoop loop_;
    std::filesystem::path session_dir_, staging_dir_;
    SessionLock lock_;
    SessionStatus status_;
    std::unique_ptr<sandbox::Sandbox> sandbox_;
    std::unique_ptr<sandbox::SandboxSpawner> spawner_;
    Janitor janitor_;
    std::vector<std::string> problems_;  // of the teardown
    bool finished_ = false;
    ProcessId xvfb_pid_ = -1;
    int display_number_ = -1;
    AppLaunch launch_;  // from start_apps(), for setup processes too
    const PartsStatusSource* parts_ = nullptr;
    nlohmann::json written_gate_;  // the gate's status as status.json last showed it
    std::string x_cookie_;
    std::string window_manager_started_;  // its argv[0]; start_apps() waits until it runs
    std::string log_partial_;
    std::string error_;
    bool stopping_ = false;
    std::uint64_t stop_requests_ = 0;
    bool torn_down_ = false;
    int exit_code_ = 0;
    bool stopping_announced_ = false;  // STOPPING=1 and status "stopping" are said once
};

// deskbox run: all the steps in order. Returns the exit code.
int run_session(Plan plan);

}  // namespace deskbox
