// A listening Unix stream socket at a path, on the EventLoop. The socket file
// gets the given mode bits and, optionally, a group, both set before listen()
// (docs/permissions.md); a stale socket file left by a dead
// process is removed first, but a live one (something accepts on it) or a
// non-socket file at the path is an error, never silently replaced. The file
// is removed again when the listener is destroyed.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

// Who may connect: the socket file's mode and, when set, its group (the owner
// stays the process's user). Implicit from a mode so callers that only need
// an owner-only socket write 0600.
struct SocketAccess {
    SocketAccess(mode_t m = 0600, std::optional<gid_t> g = std::nullopt) : mode(m), group(g) {}  // NOLINT
    mode_t mode;
    std::optional<gid_t> group;
};

class UnixListener {
public:
    // Called with each accepted connection (non-blocking, close-on-exec).
    using AcceptHandler = std::function<void(UniqueFd connection)>;

    UnixListener(EventLoop& loop, std::string path, SocketAccess access, AcceptHandler on_accept, int backlog = 16);
    ~UnixListener();
    UnixListener(const UnixListener&) = delete;
    UnixListener& operator=(const UnixListener&) = delete;

    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }

private:
    void accept_pending();

    EventLoop& loop_;
    std::string path_;
    AcceptHandler on_accept_;
    UniqueFd fd_;
    EventLoop::TimerId paused_timer_ = 0;  // while out of descriptors
    dev_t dev_ = 0;                        // identity of our socket file, so we never unlink a successor's
    ino_t ino_ = 0;
};

// Connects to a Unix stream socket (blocking, close-on-exec). Throws with the
// path and errno on failure.
UniqueFd connect_unix(const std::string& path);

}  // namespace deskbox
