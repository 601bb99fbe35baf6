// Who may reach what in a session dir (docs/permissions.md).
//
// Supervisor running as root (a system session in /run/deskbox/NAME):
//   NAME/            root:root 0711   anyone may pass through, nobody but root may list it
//   agent.sock       root:deskbox 0660          when the group "deskbox" exists, else root 0600
//   review.sock      root:deskbox-review 0660   when the group "deskbox-review" exists, else root 0600
//   status.json      root:deskbox 0640          (what the agent socket's status request shows anyway), else 0600
//   audit.jsonl, vnc.passwd, screenshots/...    root only (0600)
// Supervisor running as an ordinary user: the dir is 0700 and everything is
// the user's own (sockets 0600).
#pragma once

#include <sys/types.h>

#include <iosfwd>
#include <optional>
#include <string>

#include "supervisor/control/unix_listener.h"

namespace deskbox {

inline constexpr const char* kAgentGroup = "deskbox";
inline constexpr const char* kReviewGroup = "deskbox-review";

struct SessionAccess {
    mode_t dir_mode = 0700;
    SocketAccess agent_socket;          // agent.sock
    SocketAccess review_socket;         // review.sock
    std::optional<gid_t> status_group;  // status.json is 0640 to this group, else 0600
};

// The group's id, or nullopt when there is no such group. Throws Error when
// the group database cannot be read (an error is not "no such group").
std::optional<gid_t> lookup_group(const std::string& name);

// The rules above for a supervisor that is (or is not) root. A group that
// does not exist leaves its socket owner-only and writes one line to `log`.
SessionAccess compute_session_access(bool as_root, std::ostream& log);

// compute_session_access for this process (geteuid() == 0), looked up once at
// the first call and kept for the session's life; lines go to stderr.
const SessionAccess& session_access();

}  // namespace deskbox
