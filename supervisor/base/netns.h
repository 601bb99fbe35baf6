// Doing things inside a session's network namespace from the supervisor:
// sockets keep the namespace they were created in, so a thread joins the
// namespace (setns is per thread), creates or connects the socket, and comes
// back. Needs CAP_SYS_ADMIN over the namespace (the supervisor runs as root).
#pragma once

#include <functional>

#include "supervisor/base/unique_fd.h"

namespace deskbox {

// Runs `work` on a short-lived thread that has joined the network namespace
// `netns_fd` (an fd of /proc/PID/ns/net). Exceptions from `work` propagate.
void run_in_netns(int netns_fd, const std::function<void()>& work);

// socket(domain, type|SOCK_CLOEXEC, protocol) created inside the namespace.
UniqueFd socket_in_netns(int netns_fd, int domain, int type, int protocol = 0);

}  // namespace deskbox
