// What is left to undo when a session ends, and the janitor that undoes it
// when the supervisor cannot (SIGKILL, crash).
//
// The janitor is a small process forked from the supervisor right after the
// sandbox started (still before any thread). It keeps only a pipe from the
// supervisor and the lock descriptors, and waits. If the pipe reaches end of
// stream without the supervisor's "done" byte, the supervisor died: the
// janitor waits for the sandbox to die (init has PDEATHSIG), then empties and
// removes the cgroups, keeps the audit log and last status in the logs dir,
// removes the session dir and unlinks the locks.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox {

struct CleanupPlan {
    std::vector<std::filesystem::path> cgroup_dirs;
    std::filesystem::path session_dir;
    std::filesystem::path logs_dir;  // audit.jsonl and status.json are moved here
};

// Idempotent. Returns the problems met (empty when everything went).
std::vector<std::string> cleanup_session(const CleanupPlan& plan);

class Janitor {
public:
    Janitor() = default;
    // Forks the janitor. `locks` are (fd, path) pairs it unlinks at the end
    // (only if the path still names the same file).
    static Janitor start(CleanupPlan plan, std::vector<std::pair<int, std::filesystem::path>> locks);
    // Tells the janitor the supervisor cleaned up itself, and reaps it.
    void dismiss();
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = 0;
    UniqueFd pipe_;
};

}  // namespace deskbox
