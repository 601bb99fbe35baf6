#include "supervisor/session/parts/display.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/desktop_setup.h"
#include "xsession/display/xvfb.h"

namespace deskbox {

DisplayPart::DisplayPart(const Plan& plan, const DirsPart& dirs, SandboxPart& sandbox, SessionControl& control)
    : dirs_(dirs), sandbox_(sandbox) {
    const DisplaySpec& d = plan.manifest.session.display;
    const auto auth = dirs.staging_dir() / "Xauthority";
    {
        // Created here, owned by the sandbox user: Xvfb (the sandbox user) must read it.
        UniqueFd fd(open(auth.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw_errno("creating " + auth.string());
        const auto& ids = sandbox.sandbox().ids();
        if (fchown(fd.get(), ids.host_uid_of(sandbox::kAppUid), ids.host_gid_of(sandbox::kAppGid)) != 0)
            throw_errno("chown of " + auth.string());
    }
    XvfbOptions o;
    o.width = d.width;
    o.height = d.height;
    o.depth = d.depth;
    o.glx = d.glx;
    o.auth_file_host = auth.string();
    o.auth_file_child = staging_child("Xauthority");
    o.extra_env = sandbox_env();
    o.on_exit = [&control](int status) {
        if (!control.stopping()) control.request_stop("the X server " + describe_wait_status(status), 1);
    };
    const XvfbServer server = start_xvfb(sandbox.spawner(), control.loop(), o);
    display_number_ = server.display_number;
    x_cookie_ = server.cookie;
    display_ = ":" + std::to_string(server.display_number);
    // The resources are in place before the window manager and the apps
    // start: toolkits read them once, when they connect.
    load_desktop_resources(connect().get());
    const std::vector<std::string> wm_argv = window_manager_argv(d, stage_window_manager_config(d));
    if (wm_argv.empty()) return;
    SpawnRequest wm;
    wm.name = "window manager";
    wm.argv = wm_argv;
    wm.env = env();
    // Xlib parses the locale's whole Compose table (thousands of lines) when
    // a window manager opens its input method (a third of openbox's start-up
    // CPU); a window manager composes no text, so it gets none (the apps keep
    // theirs).
    wm.env.push_back("XCOMPOSEFILE=/dev/null");
    sandbox.spawner().spawn(wm, [&control](int status) {
        if (!control.stopping()) control.report("window manager " + describe_wait_status(status));
    });
    // Waited for by the apps: it starts while the buses and the network start.
    window_manager_ = wm_argv[0];
}

XConnection DisplayPart::connect() const {
    const UniqueFd netns = sandbox_.open_netns();  // the display listens inside the sandbox only
    return XConnection::open(display_number_, x_cookie_, netns.get());
}

void DisplayPart::wait_for_window_manager() const {
    if (window_manager_.empty()) return;
    const XConnection x = connect();
    wait_for_desktop_window_manager(x.get(), window_manager_);
}

// The default window manager's jwmrc, copied where the sandbox user reads it;
// empty when the manifest chose another window manager or none.
std::string DisplayPart::stage_window_manager_config(const DisplaySpec& d) const {
    if (d.window_manager_mode != DisplaySpec::WindowManager::Default) return {};
    const auto rc = dirs_.staging_dir() / "jwmrc";
    std::error_code ec;
    std::filesystem::copy_file(window_manager_config_source(), rc, std::filesystem::copy_options::overwrite_existing,
                               ec);
    if (ec) throw Error("copying the window manager's configuration into the session: " + ec.message());
    std::filesystem::permissions(rc, std::filesystem::perms(0644), ec);
    return staging_child("jwmrc");
}

void DisplayPart::describe(SessionStatus& status) const {
    status.display = display_;
}

}  // namespace deskbox
