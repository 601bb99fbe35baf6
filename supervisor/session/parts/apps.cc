#include "supervisor/session/parts/apps.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/app_ready.h"
#include "supervisor/session/browser_flags.h"
#include "supervisor/session/setup_runner.h"
#include "xsession/display/xvfb.h"

namespace deskbox {

AppsPart::AppsPart(const Plan& plan, SandboxPart& sandbox, const DisplayPart& display, AppLaunch launch,
                   SessionControl& control)
    : plan_(plan), sandbox_(sandbox), display_(display), control_(control), launch_(std::move(launch)) {
    for (const auto& app : plan.manifest.apps) apps_.push_back({app.name});
    try {
        display.wait_for_window_manager();
        // A failure to start stops the session start.
        for (std::size_t i = 0; i < plan.manifest.apps.size(); ++i) start_app(i);
        const UniqueFd netns = sandbox.open_netns();  // the display listens inside the sandbox only
        wait_for_app_windows(display.display_number(), display.x_cookie(), netns.get(), plan.manifest.apps);
    } catch (...) {
        // The apps already started stay with the sandbox, which ends them; their
        // exits must not reach this part, which never came to be.
        *alive_ = false;
        throw;
    }
}

AppsPart::~AppsPart() {
    *alive_ = false;
}

void AppsPart::stop() {
    sandbox_.terminate_processes();
}

void AppsPart::start_app(std::size_t index) {
    const AppSpec& spec = plan_.manifest.apps[index];
    SpawnRequest r;
    r.name = "app " + spec.name;
    for (const auto& a : spec.exec) r.argv.push_back(sandbox::expand_app_home(a));
    r.env = display_.env();
    r.env.insert(r.env.end(), launch_.env.begin(), launch_.env.end());
    for (const auto& [k, v] : spec.env) r.env.push_back(k + "=" + v);
    add_browser_flags(r.argv, launch_.proxy_url);
    r.cwd = sandbox::expand_app_home(spec.cwd);
    r.browser_sandbox = spec.browser_sandbox;
    const ProcessId pid = sandbox_.spawner().spawn(
        r,
        [this, index, alive = alive_](int status) {
            if (*alive) on_app_exit(index, status);
        },
        sandbox::kAppOomScoreAdj);
    AppStatus& st = apps_[index];
    st.pid = pid;
    st.state = "running";
}

void AppsPart::spawn_setup_process(const SetupStep& step) {
    SpawnRequest r;
    r.env = display_.env();
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
    SessionControl& control = control_;
    sandbox_.spawner().spawn(
        r,
        [&control, label = r.name](int status) {
            if (!control.stopping() && status != 0)
                control.report(label + " ended (status " + std::to_string(status) + ")");
        },
        sandbox::kAppOomScoreAdj);
}

void AppsPart::on_app_exit(std::size_t index, int wait_status) {
    const AppSpec& spec = plan_.manifest.apps[index];
    AppStatus& st = apps_[index];
    st.last_exit = describe_wait_status(wait_status);
    st.pid = 0;
    const bool failure = !(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0);
    if (control_.stopping()) {
        st.state = "exited";
        return;
    }
    control_.report("app " + spec.name + " " + st.last_exit);
    if (failure && spec.restart == RestartPolicy::OnFailure && st.restarts < spec.max_restarts) {
        ++st.restarts;
        st.state = "restarting";
        control_.report("restarting app " + spec.name + " (" + std::to_string(st.restarts) + " of " +
                        std::to_string(spec.max_restarts) + ")");
        try {
            start_app(index);
        } catch (const Error& e) {
            control_.report(e.what());
            st.state = "failed";
        }
    } else {
        st.state = failure ? "failed" : "exited";
    }
    control_.status_changed();
    check_all_apps_done();
}

void AppsPart::check_all_apps_done() {
    bool any_failed = false;
    for (const AppStatus& app : apps_) {
        if (app.state != "exited" && app.state != "failed") return;
        any_failed = any_failed || app.state == "failed";
    }
    control_.request_stop(any_failed ? "all apps ended, some failed" : "all apps exited", any_failed ? 1 : 0);
}

void AppsPart::describe(SessionStatus& status) const {
    status.apps = apps_;
}

// Walks the parent chain in the sandbox's own /proc (pids there are the
// session's, as X and AT-SPI report them) until it meets an app's first process.
std::string AppsPart::app_of_pid(int pid) const {
    const std::string proc = "/proc/" + std::to_string(sandbox_.sandbox().init_pid()) + "/root/proc/";
    int current = pid;
    for (int depth = 0; depth < 64 && current > 1; ++depth) {
        for (const AppStatus& app : apps_)
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
