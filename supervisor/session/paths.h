// Where a session keeps things on the host.
//
//   root:  /run/deskbox/NAME/          session dir (0700): status.json, sandbox/ (staging), sockets, audit.jsonl
//          /run/deskbox/NAME.lock      the session lock (flock), beside the dir so it outlives it
//          /run/deskbox/idmap/         sandbox id-range slot locks (see sandbox/userns.h)
//          /var/lib/deskbox/NAME/      logs dir: what stays after the session (audit.jsonl, last status.json)
//   user:  $XDG_RUNTIME_DIR/deskbox/NAME/ and $XDG_STATE_HOME/deskbox/NAME/ (~/.local/state/...)
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
std::filesystem::path session_dir(const std::string& name);
std::filesystem::path session_lock_path(const std::string& name);
std::filesystem::path status_path(const std::string& name);
// The host folder bound read-only at /run/deskbox inside the sandbox.
std::filesystem::path staging_dir(const std::string& name);
std::filesystem::path idmap_lock_dir();
// What stays after the session ended (audit log, last status).
std::filesystem::path logs_dir(const std::string& name);

}  // namespace deskbox
