// Finding every session on the host that the caller may see, for
// `deskbox list` and `deskbox stop --all`.
//
// Where it looks (session_parents()): DESKBOX_RUNTIME_DIR when set; as root
// /run/deskbox; as an ordinary user their own $XDG_RUNTIME_DIR/deskbox and
// the system sessions in /run/deskbox (listable by anyone: tmpfiles.d makes
// it 0755; each session dir is 0711 and its status.json root:deskbox 0640).
//
// A session is a directory with a valid session name. Whether its
// supervisor still runs is read from the kernel, not guessed from a pid: the
// session lock NAME.lock beside the dir is flock'ed by the supervisor (and by
// its janitor after a crash), and /proc/locks lists held locks by inode, so
// looking never takes the lock (a `deskbox run` of that name at the same
// moment is not disturbed).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deskbox {

struct ListedSession {
    std::string name;
    std::filesystem::path dir;
    std::string scope;              // "system" (a root supervisor's: the dir is root's) or "user"
    bool readable = false;          // status.json was read and parsed
    bool access_denied = false;     // status.json exists but the caller may not read it
    std::string problem;            // why status.json is missing or unusable (empty when readable)
    nlohmann::json status;          // status.json when readable
    bool lock_held = false;         // a supervisor or its janitor holds NAME.lock
    bool supervisor_alive = false;  // status.json's supervisor_pid exists (false when unknown)
};

// The folders list_sessions() scans, most specific first (see above).
std::vector<std::filesystem::path> session_parents();

// Every session in those folders, sorted by scope then name. Never throws
// for one session's problem (it is recorded in `problem`); a parent that does
// not exist contributes nothing.
std::vector<ListedSession> list_sessions();

// Whether some process holds a flock (or POSIX lock) on `file`, from
// /proc/locks. False when the file does not exist.
bool lock_is_held(const std::filesystem::path& file);

// Whether a process with this pid exists (kill(pid, 0): EPERM counts as alive).
bool pid_exists(pid_t pid);

}  // namespace deskbox
