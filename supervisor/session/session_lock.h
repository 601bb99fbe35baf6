// The session lock: a flock on runtime_parent()/NAME.lock holding the
// supervisor's pid. The kernel drops a flock when its holder dies, so a
// SIGKILLed run never blocks the next one. A lock held by a dead supervisor
// means its janitor (janitor.h) is still cleaning up: we wait for it (bounded).
#pragma once

#include <filesystem>
#include <string>

#include "supervisor/base/unique_fd.h"

namespace deskbox {

class SessionLock {
public:
    SessionLock() = default;
    // Throws "session NAME is already running (supervisor pid N)" when a live supervisor holds it.
    static SessionLock acquire(const std::filesystem::path& path, const std::string& name);
    // Unlinks the file (while still holding the lock) and releases it.
    void release();
    int fd() const { return fd_.get(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    UniqueFd fd_;
};

// Unlinks `path` only if it is still the file `fd` refers to (not a newer lock).
void unlink_if_same_file(const std::filesystem::path& path, int fd);

}  // namespace deskbox
