// The session sandbox, seen from the supervisor. contain() is the one flat
// sequence (nsjail's contain.cc): validate and prepare everything (files,
// cgroup layout, id range, seccomp programs), create the cgroup, clone init
// into new user, mount, pid, net, ipc and uts namespaces, write its id maps,
// put it in the cgroup, let it build the filesystem, wait for Ready. Any
// failure stops the sequence, undoes what was done and throws an Error that
// names the step.
//
// contain() must run before the supervisor starts any thread: the kernel
// refuses CLONE_NEWUSER to a multi-threaded process, and init is a copy of
// the supervisor's memory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "supervisor/base/unique_fd.h"
#include "supervisor/sandbox/cgroups.h"
#include "supervisor/sandbox/rlimits.h"
#include "supervisor/sandbox/userns.h"

namespace deskbox::sandbox {

struct FileToPlace {
    std::filesystem::path from;  // host path (absolute)
    std::string to;              // "~/x" or an absolute path under /home/agent or /tmp
    bool copy = true;            // false: bound read-only
};

struct SandboxOptions {
    std::string name;                      // session name (hostname, cgroup and id-slot names)
    std::filesystem::path staging_dir;     // host folder bound read-only at /run/deskbox (must exist)
    std::filesystem::path idmap_lock_dir;  // root only: where the id-range slot locks live
    CgroupLimits cgroup;
    ProcessLimits process;
    std::uint64_t home_size = 512ull << 20;
    std::uint64_t tmp_size = 256ull << 20;
    std::vector<FileToPlace> files;
    // Compile the browser_sandbox filter variant too (some app asks for it).
    bool browser_filter = false;
};

// Checks options without touching anything (sizes, targets, sources are
// regular files; not the staging folder, made later). Throws Error naming the first problem.
void validate_sandbox_options(const SandboxOptions& options);

class Sandbox {
public:
    static std::unique_ptr<Sandbox> contain(const SandboxOptions& options);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    pid_t init_pid() const { return init_pid_; }     // host pid of init
    int init_pidfd() const { return pidfd_.get(); }  // readable when init has exited
    // The supervisor's end of the init socket (SandboxSpawner speaks on it).
    int control_fd() const { return control_.get(); }
    // Read end of init's stdout/stderr (what apps print unless they were given other fds).
    int log_fd() const { return log_.get(); }
    const IdMapping& ids() const { return ids_.mapping; }
    // The id-range slot lock (root only; empty fd otherwise), for the session janitor.
    const IdReservation& id_reservation() const { return ids_; }
    SessionCgroup& cgroup() { return *cgroup_; }
    const std::filesystem::path& staging_dir() const { return staging_dir_; }
    // A new fd of the sandbox's network namespace, for setns.
    UniqueFd open_netns() const;

    // Asks init to SIGTERM every process of the sandbox (orderly stop).
    void terminate();
    // SIGKILLs init (the kernel then kills the whole pid namespace), reaps it,
    // removes the cgroup, releases the id range. Idempotent; the destructor calls it.
    void destroy();
    // True once init has exited (reaped by destroy() or seen through the pidfd).
    bool init_exited() const;

private:
    Sandbox() = default;

    pid_t init_pid_ = 0;
    UniqueFd pidfd_;
    UniqueFd control_;
    UniqueFd log_;
    UniqueFd netns_;  // opened right after the clone (see contain())
    IdReservation ids_;
    std::unique_ptr<SessionCgroup> cgroup_;
    std::filesystem::path staging_dir_;
    bool destroyed_ = false;
};

}  // namespace deskbox::sandbox
