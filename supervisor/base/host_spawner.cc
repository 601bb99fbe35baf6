#include "supervisor/base/host_spawner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

int pidfd_open_wrapper(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// Async-signal-safe child side: only system calls, no allocation.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp, const char* cwd,
                             const std::pair<int, int>* fds, std::size_t fd_count, int error_pipe) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Move the handed-over fds out of the way first so that a source fd is never
    // clobbered by an earlier dup2 onto the same number.
    int moved[64];
    for (std::size_t i = 0; i < fd_count; ++i) {
        moved[i] = fcntl(fds[i].first, F_DUPFD_CLOEXEC, 100);
        if (moved[i] < 0) goto fail;
    }
    {
        int highest = 2;
        for (std::size_t i = 0; i < fd_count; ++i) {
            if (dup2(moved[i], fds[i].second) < 0) goto fail;  // dup2 clears close-on-exec
            if (fds[i].second > highest) highest = fds[i].second;
        }
        // Whatever else leaked without close-on-exec closes at exec (not now:
        // the error pipe must stay open until then): the child gets only what it was handed.
        for (int fd = 3; fd <= highest; ++fd) {
            bool wanted = false;
            for (std::size_t i = 0; i < fd_count; ++i) wanted = wanted || fds[i].second == fd;
            if (!wanted) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        syscall(SYS_close_range, highest + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    }
    if (cwd[0] != '\0' && chdir(cwd) != 0) goto fail;
    execve(program, argv, envp);
fail:
    const int err = errno;
    [[maybe_unused]] auto n = write(error_pipe, &err, sizeof err);
    _exit(127);
}

}  // namespace

std::string find_program(const std::string& name, const std::string& path_env) {
    if (name.find('/') != std::string::npos) return name;
    std::stringstream dirs(path_env.empty() ? std::string("/usr/local/bin:/usr/bin:/bin") : path_env);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw Error("starting " + name + ": not found in PATH");
}

HostSpawner::HostSpawner(EventLoop& loop) : loop_(loop) {}

HostSpawner::~HostSpawner() {
    // SIGTERM first so that servers clean up (Xvfb removes its lock and
    // socket), then SIGKILL whatever is still there after a grace period.
    for (auto& [pid, child] : children_) {
        loop_.remove_fd(child->pidfd.get());
        syscall(SYS_pidfd_send_signal, child->pidfd.get(), SIGTERM, nullptr, 0);
    }
    const std::int64_t deadline = monotonic_ms() + 2000;
    for (auto& [pid, child] : children_) {
        pollfd pfd{child->pidfd.get(), POLLIN, 0};
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0 || poll(&pfd, 1, static_cast<int>(left)) <= 0) {
            syscall(SYS_pidfd_send_signal, child->pidfd.get(), SIGKILL, nullptr, 0);
        }
        waitpid(pid, nullptr, 0);
    }
}

ProcessId HostSpawner::spawn(const SpawnRequest& request, std::function<void(int)> on_exit) {
    if (request.argv.empty()) throw Error("starting " + request.name + ": empty command");
    if (request.fds.size() > 60) throw Error("starting " + request.name + ": too many descriptors");
    std::string path_env;
    for (const auto& e : request.env) {
        if (e.rfind("PATH=", 0) == 0) path_env = e.substr(5);
    }
    if (path_env.empty()) {
        if (const char* p = getenv("PATH")) path_env = p;
    }
    // Everything the child needs is built here, before fork.
    const std::string program = find_program(request.argv[0], path_env);
    std::vector<char*> argv;
    for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    // Standard descriptors not handed over explicitly are inherited (logs of
    // tests and benchmarks stay visible); everything else is closed.
    std::vector<std::pair<int, int>> fds = request.fds;
    for (int std_fd = 0; std_fd <= 2; ++std_fd) {
        bool given = false;
        for (const auto& [from, to] : request.fds) given = given || to == std_fd;
        if (!given && fcntl(std_fd, F_GETFD) >= 0) fds.emplace_back(std_fd, std_fd);
    }

    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0) throw_errno("starting " + request.name + ": creating a pipe");
    UniqueFd error_read(error_pipe[0]), error_write(error_pipe[1]);

    const pid_t pid = fork();
    if (pid < 0) throw_errno("starting " + request.name + ": fork");
    if (pid == 0) {
        exec_child(program.c_str(), argv.data(), envp.data(), request.cwd.c_str(), fds.data(), fds.size(),
                   error_write.get());
    }
    error_write.reset();
    int child_errno = 0;
    ssize_t got;
    do {
        got = read(error_read.get(), &child_errno, sizeof child_errno);
    } while (got < 0 && errno == EINTR);
    if (got == sizeof child_errno) {
        waitpid(pid, nullptr, 0);
        throw_errno("starting " + request.name + " (" + program + ")", child_errno);
    }

    auto child = std::make_unique<Child>();
    child->pidfd.reset(pidfd_open_wrapper(pid));
    if (!child->pidfd) {
        const int err = errno;
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        throw_errno("starting " + request.name + ": pidfd_open", err);
    }
    child->on_exit = std::move(on_exit);
    const int pidfd = child->pidfd.get();
    children_.emplace(pid, std::move(child));
    loop_.add_fd(pidfd, EPOLLIN, [this, pid](std::uint32_t) { reap(pid); });
    return pid;
}

void HostSpawner::reap(ProcessId pid) {
    auto it = children_.find(pid);
    if (it == children_.end()) return;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) return;  // not yet (spurious wakeup)
    auto child = std::move(it->second);
    children_.erase(it);
    loop_.remove_fd(child->pidfd.get());
    if (child->on_exit) child->on_exit(status);
}

void HostSpawner::signal(ProcessId id, int signo) {
    auto it = children_.find(id);
    if (it == children_.end()) return;  // already gone
    if (syscall(SYS_pidfd_send_signal, it->second->pidfd.get(), signo, nullptr, 0) != 0 && errno != ESRCH) {
        throw_errno("signalling process " + std::to_string(id));
    }
}

}  // namespace deskbox
