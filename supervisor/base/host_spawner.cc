#include "supervisor/base/host_spawner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "supervisor/base/child_exec.h"
#include "supervisor/base/error.h"
#include "supervisor/base/exec_path.h"

namespace deskbox {
namespace {

int pidfd_open_wrapper(pid_t pid) {
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

// Async-signal-safe child side: only system calls, no allocation.
[[noreturn]] void exec_child(const char* program, char* const* argv, char* const* envp, const char* cwd,
                             const FdMove* fds, std::size_t fd_count, int error_pipe) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int err = place_fds(fds, fd_count, &error_pipe);
    if (err == 0 && cwd[0] != '\0' && chdir(cwd) != 0) err = errno;
    if (err == 0) {
        execve(program, argv, envp);
        err = errno;
    }
    [[maybe_unused]] auto n = write(error_pipe, &err, sizeof err);
    _exit(127);
}

}  // namespace

std::string find_program(const std::string& name, const std::string& path_env) {
    std::string program = search_exec_path(name, path_env);
    if (program.empty()) throw Error("starting " + name + ": not found in PATH");
    return program;
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
    std::string path_env = path_of_env(request.env);
    if (path_env.empty()) {
        if (const char* p = getenv("PATH")) path_env = p;
    }
    // Everything the child needs is built here, before fork.
    const std::string program = find_program(request.argv[0], path_env);
    std::vector<std::string> argv_strings = request.argv, env_strings = request.env;
    const std::vector<char*> argv = exec_array(argv_strings);
    const std::vector<char*> envp = exec_array(env_strings);

    // Standard descriptors not handed over explicitly are inherited (logs of
    // tests and benchmarks stay visible); everything else is closed.
    std::vector<FdMove> fds;
    for (const auto& [from, to] : request.fds) fds.push_back({from, to});
    for (int std_fd = 0; std_fd <= 2; ++std_fd) {
        bool given = false;
        for (const auto& [from, to] : request.fds) given = given || to == std_fd;
        if (!given && fcntl(std_fd, F_GETFD) >= 0) fds.push_back({std_fd, std_fd});
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
