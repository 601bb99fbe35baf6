#include "tests/integration/client_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "supervisor/base/error.h"
#include "xsession/display/xvfb.h"  // describe_wait_status

namespace deskbox::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    return static_cast<int>(
        std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
}

}  // namespace

ClientProcess::ClientProcess(const std::vector<std::string>& argv, const std::string& display, int fd3, int timeout_ms)
    : argv_(argv), timeout_ms_(timeout_ms) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("creating a pipe for " + command());
    // Everything the child needs, made before fork.
    std::vector<char*> a;
    for (const auto& s : argv_) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    std::string display_env = "DISPLAY=" + display;
    pid_ = fork();
    if (pid_ < 0) throw_errno("starting " + command());
    if (pid_ == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        if (fd3 >= 0) dup2(fd3, 3);
        if (!display.empty()) putenv(display_env.data());
        execvp(a[0], a.data());
        _exit(127);
    }
    close(fds[1]);
    out_.reset(fds[0]);
    pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
    if (!pidfd_) throw_errno("pidfd_open for " + command());
}

ClientProcess::~ClientProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    pollfd p{pidfd_.get(), POLLIN, 0};
    if (poll(&p, 1, 10'000) <= 0) kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
}

void ClientProcess::read_until(const std::string& needle) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (output_.find(needle) == std::string::npos) {
        const int left = ms_left(deadline);
        pollfd p{out_.get(), POLLIN, 0};
        char buf[4096];
        ssize_t n = 0;
        if (left <= 0 || poll(&p, 1, left) <= 0 || (n = read(out_.get(), buf, sizeof buf)) <= 0)
            throw Error(command() + " did not print '" + needle + "'" +
                        (left <= 0 || !p.revents ? " within " + std::to_string(timeout_ms_ / 1000) + " s" : "") +
                        "; its output: " + output_);
        output_.append(buf, static_cast<std::size_t>(n));
    }
}

void ClientProcess::wait() {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    for (;;) {  // to EOF: it exited (or closed its output)
        pollfd p{out_.get(), POLLIN, 0};
        if (poll(&p, 1, ms_left(deadline)) <= 0) break;
        char buf[4096];
        const ssize_t n = read(out_.get(), buf, sizeof buf);
        if (n <= 0) break;
        output_.append(buf, static_cast<std::size_t>(n));
    }
    pollfd p{pidfd_.get(), POLLIN, 0};
    if (poll(&p, 1, ms_left(deadline)) <= 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        throw Error(command() + " did not finish within " + std::to_string(timeout_ms_ / 1000) +
                    " s; its output: " + output_);
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(command() + " failed (" + describe_wait_status(status) + "): " + output_);
}

std::string ClientProcess::command() const {
    std::string s;
    for (const auto& a : argv_) s += (s.empty() ? "" : " ") + a;
    return s;
}

}  // namespace deskbox::test
