#include "supervisor/session/session_access.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <vector>

#include "supervisor/base/error.h"

namespace deskbox {

std::optional<gid_t> lookup_group(const std::string& name) {
    std::vector<char> buf(16384);
    for (;;) {
        group g{};
        group* found = nullptr;
        const int rc = getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1u << 24)) {
            buf.resize(buf.size() * 4);  // a group with many members
            continue;
        }
        // glibc reports "no such group" as rc 0 and found null; some NSS
        // modules return ENOENT/ESRCH/EBADF/EPERM for it (getgrnam_r(3)).
        if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)
            return found ? std::optional<gid_t>(found->gr_gid) : std::nullopt;
        throw_errno("looking up group " + name, rc);
    }
}

SessionAccess compute_session_access(bool as_root, std::ostream& log) {
    SessionAccess access;
    if (!as_root) return access;  // the user's own: 0700 dir, 0600 sockets
    access.dir_mode = 0711;
    if (const auto gid = lookup_group(kAgentGroup)) {
        access.agent_socket = SocketAccess{0660, gid};
        access.status_group = gid;
    } else {
        log << "deskbox: group " << kAgentGroup << " does not exist: agent.sock stays root-only (0600)\n";
    }
    if (const auto gid = lookup_group(kReviewGroup))
        access.review_socket = SocketAccess{0660, gid};
    else
        log << "deskbox: group " << kReviewGroup << " does not exist: review.sock stays root-only (0600)\n";
    return access;
}

const SessionAccess& session_access() {
    static const SessionAccess access = compute_session_access(geteuid() == 0, std::cerr);
    return access;
}

}  // namespace deskbox
