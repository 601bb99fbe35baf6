// Where a session keeps things on the host.
//
//   root:  /run/deskbox/NAME/          session dir (0711, session_access.h): status.json, sandbox/ (staging), sockets,
//   audit.jsonl
//          /run/deskbox/NAME.lock      the session lock (flock), beside the dir so it outlives it
//          /run/deskbox/idmap/         sandbox id-range slot locks (see sandbox/userns.h)
//          /var/lib/deskbox/NAME/      logs dir: what stays after the session (audit.jsonl, last status.json)
//   user:  $XDG_RUNTIME_DIR/deskbox/NAME/ and $XDG_STATE_HOME/deskbox/NAME/ (~/.local/state/...)
//
// Clients (the CLI) find a running session with find_session_dir(): an
// ordinary user in the deskbox groups reaches a root session in
// /run/deskbox/NAME when they run no session of that name themselves.
//
// DESKBOX_RUNTIME_DIR replaces the runtime parent (/run/deskbox) and
// DESKBOX_STATE_DIR the logs parent (/var/lib/deskbox), for tests.
#pragma once

#include <filesystem>
#include <string>

namespace deskbox {

// Session names: 1-48 characters of [A-Za-z0-9_.-], not starting with '.' or '-'.
// Throws Error otherwise (they become paths, cgroup and host names).
void validate_session_name(const std::string& name);

std::filesystem::path runtime_parent();
// Where this process creates its own session NAME.
std::filesystem::path session_dir(const std::string& name);
// Where a client looks for a running session NAME: DESKBOX_RUNTIME_DIR/NAME
// when that is set; as root /run/deskbox/NAME; otherwise the user's own
// $XDG_RUNTIME_DIR/deskbox/NAME when it exists, else /run/deskbox/NAME when
// that exists (a system session, reached through the deskbox groups), else
// the user's path (so that "no such session" names where it looked).
std::filesystem::path find_session_dir(const std::string& name);
// The CLI's help for -s/--session, saying where find_session_dir looks.
inline constexpr const char* kSessionOptionHelp =
    "Session name: as root /run/deskbox/NAME; as a user $XDG_RUNTIME_DIR/deskbox/NAME, else the system "
    "session /run/deskbox/NAME (needs the deskbox or deskbox-review group); DESKBOX_RUNTIME_DIR overrides";
std::filesystem::path session_lock_path(const std::string& name);
std::filesystem::path status_path(const std::string& name);
// The host folder bound read-only at /run/deskbox inside the sandbox.
std::filesystem::path staging_dir(const std::string& name);
std::filesystem::path idmap_lock_dir();
// What stays after the session ended (audit log, last status).
std::filesystem::path logs_dir(const std::string& name);

}  // namespace deskbox
