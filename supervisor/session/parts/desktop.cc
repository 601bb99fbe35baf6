#include "supervisor/session/parts/desktop.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

// How the loop's thread waits for the accessibility helper: in short slices,
// serving the urgent sources (signals, the reviewer's socket) in between, so
// that a hung app never holds the kill switch. Once the session is stopping
// the query is abandoned (its late reply is skipped).
constexpr int kA11yWaitSliceMs = 50;

void wait_serving_kill_switch(SessionControl& control, int helper_fd, std::int64_t deadline_ms) {
    const std::int64_t left = deadline_ms - monotonic_ms();
    if (left > 0) {
        pollfd fds[2] = {{helper_fd, POLLIN, 0}, {control.loop().urgent_fd(), POLLIN, 0}};
        const int n = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left, kA11yWaitSliceMs)));
        if (n < 0 && errno != EINTR) throw_errno("waiting for the accessibility helper");
        if (n > 0 && (fds[1].revents & POLLIN)) control.loop().dispatch_urgent();
    }
    if (control.stopping()) throw Error("the session is stopping: the accessibility query was abandoned");
}

// The AT-SPI helper runs inside the sandbox, which sees only system folders
// and the staging dir; a copy in the staging dir works for an installed
// deskbox and for one run from its build tree alike.
std::string stage_a11y_helper(const DirsPart& dirs) {
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
    const auto staged = dirs.staging_dir() / "deskbox-a11y";
    std::error_code ec;
    std::filesystem::copy_file(helper, staged, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw Error("copying the accessibility helper " + helper.string() + " into the session: " + ec.message());
    std::filesystem::permissions(staged, std::filesystem::perms(0755), ec);
    return staging_child("deskbox-a11y");
}

}  // namespace

DesktopPart::DesktopPart(const DesktopParts& parts, SessionControl& control) : x_(parts.display.connect()) {
    const ObserveSpec& observe = parts.plan.manifest.observe;
    DesktopOptions desktop_options;
    const std::optional<int> scale_width = observe.scale_width, scale_height = observe.scale_height;
    if (scale_width && scale_height) desktop_options.scaled_size = Point{*scale_width, *scale_height};
    desktop_ = std::make_unique<Desktop>(x_, desktop_options);
    try {
        a11y::HelperOptions helper;
        helper.helper_path = stage_a11y_helper(parts.dirs);
        helper.env = parts.display.env();
        helper.env.insert(helper.env.end(), parts.bus.app_env().begin(), parts.bus.app_env().end());
        a11y_ = std::make_unique<a11y::A11yClient>(parts.sandbox.spawner(), helper);
        a11y_->set_wait_hook(
            [&control](int fd, std::int64_t deadline_ms) { wait_serving_kill_switch(control, fd, deadline_ms); });
    } catch (const Error& e) {
        // The session still works by pixels; element actions say accessibility is unavailable.
        control.report(std::string("accessibility helper unavailable: ") + e.what());
        parts.audit.log().append("warning", {{"what", "accessibility helper unavailable"}, {"error", e.what()}});
    }
    const AppsPart& apps = parts.apps;
    executor_ = std::make_unique<SessionExecutor>(*desktop_, x_.get(), a11y_.get(),
                                                  [&apps](int pid) { return apps.app_of_pid(pid); });
    executor_->set_secrets(&parts.audit.secrets());
    executor_->answer_lookups_on(control.loop());  // the gate's AT-SPI lookups wait on the loop, not in it
}

DesktopPart::~DesktopPart() = default;

}  // namespace deskbox
