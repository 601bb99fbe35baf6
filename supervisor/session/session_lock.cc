#include "supervisor/session/session_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

void on_alarm(int) {}

pid_t read_holder(int fd) {
    char buf[32] = {};
    const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? static_cast<pid_t>(std::strtol(buf, nullptr, 10)) : 0;
}

// Blocks in flock for at most `seconds` (SIGALRM interrupts it).
bool lock_with_timeout(int fd, unsigned seconds) {
    struct sigaction sa {
    }, old{};
    sa.sa_handler = on_alarm;  // no SA_RESTART: flock returns EINTR
    sigaction(SIGALRM, &sa, &old);
    alarm(seconds);
    const int rc = flock(fd, LOCK_EX);
    const int err = errno;
    alarm(0);
    sigaction(SIGALRM, &old, nullptr);
    errno = err;
    return rc == 0;
}

}  // namespace

void unlink_if_same_file(const std::filesystem::path& path, int fd) {
    struct stat held {
    }, now{};
    if (fstat(fd, &held) != 0 || stat(path.c_str(), &now) != 0) return;
    if (held.st_ino == now.st_ino && held.st_dev == now.st_dev) unlink(path.c_str());
}

SessionLock SessionLock::acquire(const std::filesystem::path& path, const std::string& name) {
    for (;;) {
        UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw_errno("opening the session lock " + path.string());
        if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK) throw_errno("locking " + path.string());
            const pid_t holder = read_holder(fd.get());
            if (holder > 0 && kill(holder, 0) == 0)
                throw Error("session " + name + " is already running (supervisor pid " + std::to_string(holder) + ")");
            // The supervisor is gone; its janitor is still cleaning up.
            if (!lock_with_timeout(fd.get(), 15))
                throw Error("session " + name + ": the previous run is still cleaning up after 15 s (" + path.string() +
                            " is locked)");
        }
        // The previous holder may have unlinked the file between our open and flock.
        struct stat held {
        }, now{};
        if (fstat(fd.get(), &held) != 0) throw_errno("checking " + path.string());
        if (stat(path.c_str(), &now) != 0 || now.st_ino != held.st_ino || now.st_dev != held.st_dev) continue;
        const std::string pid = std::to_string(getpid()) + "\n";
        if (ftruncate(fd.get(), 0) != 0 || pwrite(fd.get(), pid.data(), pid.size(), 0) < 0)
            throw_errno("writing " + path.string());
        SessionLock lock;
        lock.path_ = path;
        lock.fd_ = std::move(fd);
        return lock;
    }
}

void SessionLock::release() {
    if (!fd_) return;
    unlink_if_same_file(path_, fd_.get());
    fd_.reset();
}

}  // namespace deskbox
