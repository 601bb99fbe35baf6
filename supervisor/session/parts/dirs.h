// The session's place on the host: its lock (one supervisor per name), its
// session dir (sockets, status.json) and staging dir (what the sandbox sees
// at /run/deskbox). Started first, stopped last: the stop removes both dirs
// (the audit log is kept in the logs dir) and releases the lock.
#pragma once

#include <filesystem>
#include <string>

#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"
#include "supervisor/session/session_lock.h"

namespace deskbox {

class DirsPart final : public SessionPart {
public:
    // Takes the lock, cleans up a leftover of a killed run, creates the dirs.
    explicit DirsPart(SessionControl& control);
    void stop() override;

    const std::filesystem::path& session_dir() const { return session_dir_; }
    // Host side of /run/deskbox inside the sandbox (read-only there).
    const std::filesystem::path& staging_dir() const { return staging_dir_; }
    const SessionLock& lock() const { return lock_; }
    std::filesystem::path status_file() const { return session_dir_ / "status.json"; }

private:
    SessionControl& control_;
    SessionLock lock_;
    std::filesystem::path session_dir_, staging_dir_;
};

// A path in the staging dir as the sandbox sees it (/run/deskbox/FILE).
std::string staging_child(const std::string& file);

}  // namespace deskbox
