#include "supervisor/session/preflight.h"

#include <unistd.h>

#include <filesystem>

#include "supervisor/base/error.h"
#include "supervisor/base/exec_path.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/desktop_setup.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/paths.h"

namespace deskbox {
namespace {

// The sandbox binds the host's /usr, /bin...: a command found in the host's
// copy of the sandbox PATH will be found inside too.
bool found_in_sandbox_path(const std::string& cmd) {
    const std::string found = search_exec_path(cmd, kSandboxPath);
    return !found.empty() && access(found.c_str(), X_OK) == 0;
}

}  // namespace

void check_session_can_start(const Plan& plan) {
    const Manifest& m = plan.manifest;
    validate_session_name(m.session.name);
    validate_sandbox_options(sandbox_options(plan, "/"));
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
}

}  // namespace deskbox
