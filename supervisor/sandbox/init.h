// The sandbox init: deskbox code running as PID 1 of the session's pid
// namespace. It is a clone of the supervisor made before the supervisor starts
// any thread, so it owns a copy of everything the supervisor prepared (mount
// plan, seccomp programs) and only applies it.
//
// Startup: PR_SET_PDEATHSIG(SIGKILL), wait for Go (end of stream = the
// supervisor already died), become the namespace root, build the filesystem,
// bring up loopback, set the hostname, enter a new cgroup namespace, send Ready.
// Then serve: start processes on request (as the app user, empty capabilities,
// no_new_privs, rlimits, setsid, only the passed fds, seccomp), reap every
// zombie, report exits of the processes it started, forward SIGTERM. When
// the supervisor's socket closes, init exits and the kernel kills every
// process of the namespace with it.
#pragma once

#include <cstdint>
#include <string>

#include "supervisor/sandbox/mounts.h"
#include "supervisor/sandbox/rlimits.h"
#include "supervisor/sandbox/seccomp.h"
#include "supervisor/sandbox/userns.h"

namespace deskbox::sandbox {

// The memory holding the process's command line (what /proc/PID/cmdline shows).
struct ArgvArea {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
};
// Of the calling process, from /proc/self/stat ({0, 0} when unreadable).
ArgvArea own_argv_area();
// Overwrites the area with `title` and zeros (no allocation; init calls it
// first, so that /proc/1/cmdline inside shows no host path of the supervisor).
void overwrite_argv_area(const ArgvArea& area, const char* title) noexcept;
inline constexpr const char* kInitTitle = "deskbox-init";

struct InitConfig {
    std::string hostname;
    ArgvArea argv_area;  // the supervisor's, which init shares as a copy
    IdMapping ids;
    MountPlan mounts;
    ProcessLimits limits;
    SeccompProgram default_filter;
    SeccompProgram browser_filter;
    int control_fd = -1;  // init's end of the SOCK_SEQPACKET pair
    int log_fd = -1;      // becomes init's stdout/stderr (and so the apps' default ones)
};

// Never returns.
[[noreturn]] void run_init(InitConfig& config);

}  // namespace deskbox::sandbox
