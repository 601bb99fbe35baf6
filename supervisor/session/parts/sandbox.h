// The sandbox (namespaces, filesystem, cgroup, its init), the janitor that
// cleans up if the supervisor dies, and the spawner that starts processes in
// it. Its stop ends every process still running (SIGTERM, a grace period,
// then the sandbox's destruction kills the rest) and dismisses the janitor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "supervisor/base/unique_fd.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/sandbox_spawner.h"
#include "supervisor/session/cleanup.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

// The sandbox's PATH; the host's /usr, /bin... are bound inside, so a
// command found in the host's copy of it is found inside too.
inline constexpr const char* kSandboxPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

sandbox::SandboxOptions sandbox_options(const Plan& plan, const std::filesystem::path& staging);

// The environment every sandboxed process starts with (HOME, PATH,
// XDG_RUNTIME_DIR...), and DISPLAY, XAUTHORITY and the desktop's variables
// once there is a display (":N").
std::vector<std::string> sandbox_env(const std::string& display = {});

class SandboxPart final : public SessionPart {
public:
    // Before any thread: the proxy and the netns helpers start threads.
    SandboxPart(const Plan& plan, const DirsPart& dirs, SessionControl& control);
    void stop() override;
    void describe(SessionStatus& status) const override;

    // SIGTERM to every process in the sandbox, then the loop is served until
    // the spawned ones ended or the grace period passed. Idempotent.
    void terminate_processes();
    // Reads the cgroup's limit events and remembers them for status.json.
    struct LimitEvents {
        bool changed = false;
        std::vector<std::string> lines;  // for stderr: "pids limit reached (...)"
    };
    LimitEvents take_limit_events();

    sandbox::Sandbox& sandbox() { return *sandbox_; }
    const sandbox::Sandbox& sandbox() const { return *sandbox_; }
    sandbox::SandboxSpawner& spawner() { return *spawner_; }
    // A new fd of the sandbox's network namespace (for socket_in_netns / run_in_netns).
    UniqueFd open_netns() const { return sandbox_->open_netns(); }

private:
    void on_log_readable();

    SessionControl& control_;
    std::unique_ptr<sandbox::Sandbox> sandbox_;
    Janitor janitor_;
    std::unique_ptr<sandbox::SandboxSpawner> spawner_;
    sandbox::CgroupEvents events_;  // as status.json last showed them
    std::string log_partial_;
    bool terminated_ = false;  // terminate_processes() ran
};

}  // namespace deskbox
