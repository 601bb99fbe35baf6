// systemd's notify protocol, written directly: one datagram to $NOTIFY_SOCKET
// (a path, or an abstract name starting with '@'). Without NOTIFY_SOCKET it
// does nothing. Errors are returned, never thrown: notification is best effort.
#pragma once

#include <string>

namespace deskbox {

// Sends "READY=1", "STATUS=...", "STOPPING=1" (several lines allowed).
// Returns true when sent (or when there is no NOTIFY_SOCKET: false).
bool sd_notify(const std::string& state);

}  // namespace deskbox
