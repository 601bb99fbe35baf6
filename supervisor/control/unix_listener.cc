#include "supervisor/control/unix_listener.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

sockaddr_un make_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        throw Error("socket path '" + path + "' is empty or longer than " + std::to_string(sizeof addr.sun_path - 1) +
                    " bytes");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

// Removes a socket file nobody listens on; refuses anything else.
void remove_stale_socket(const std::string& path, const sockaddr_un& addr) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        throw_errno("checking socket path " + path);
    }
    if (!S_ISSOCK(st.st_mode)) throw Error("socket path " + path + " exists and is not a socket; not replacing it");
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) throw_errno("creating probe socket");
    if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
        throw Error("socket " + path + " is in use by a running process");
    if (errno != ECONNREFUSED) throw_errno("probing existing socket " + path);
    if (unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("removing stale socket " + path);
}

}  // namespace

UnixListener::UnixListener(EventLoop& loop, std::string path, SocketAccess access, AcceptHandler on_accept, int backlog)
    : loop_(loop), path_(std::move(path)), on_accept_(std::move(on_accept)) {
    const sockaddr_un addr = make_address(path_);
    remove_stale_socket(path_, addr);
    fd_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd_) throw_errno("creating socket for " + path_);
    // The socket inode is created with the fd's mode minus the umask (Linux
    // unix_bind), so an owner-only fd mode here means the file never exists
    // with looser bits; group and final mode are set before listen(), and
    // until listen() every connect is refused anyway.
    if (fchmod(fd_.get(), access.mode & 0700) != 0) throw_errno("setting mode of socket " + path_);
    if (bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("binding socket " + path_);
    // errno first: building the message may not keep it.
    auto fail = [this](const char* what) {
        const int err = errno;
        unlink(path_.c_str());
        throw_errno(what + (" " + path_), err);
    };
    if (access.group && fchownat(AT_FDCWD, path_.c_str(), geteuid(), *access.group, AT_SYMLINK_NOFOLLOW) != 0)
        fail("setting the group of socket");
    if (chmod(path_.c_str(), access.mode) != 0) fail("setting mode of socket");
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0) {
        dev_ = st.st_dev;
        ino_ = st.st_ino;
    }
    if (listen(fd_.get(), backlog) != 0) fail("listening on socket");
    loop_.add_fd(fd_.get(), EPOLLIN, [this](std::uint32_t) { accept_pending(); });
}

UnixListener::~UnixListener() {
    if (paused_timer_ != 0) loop_.cancel_timer(paused_timer_);
    if (!fd_) return;
    loop_.remove_fd(fd_.get());
    struct stat st {};
    if (lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) unlink(path_.c_str());
}

void UnixListener::accept_pending() {
    for (;;) {
        const int conn = accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors: the pending connection stays queued and
                // epoll would report it again at once. Pause accepting for a
                // moment instead of spinning; the listener stays healthy.
                loop_.modify_fd(fd_.get(), 0);
                paused_timer_ = loop_.add_timer(Millis(100), [this] {
                    paused_timer_ = 0;
                    loop_.modify_fd(fd_.get(), EPOLLIN);
                });
            }
            return;  // EAGAIN: drained
        }
        on_accept_(UniqueFd(conn));
    }
}

UniqueFd connect_unix(const std::string& path) {
    const sockaddr_un addr = make_address(path);
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("creating socket");
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("connecting to " + path);
    return fd;
}

}  // namespace deskbox
