#include "supervisor/cli/line_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "supervisor/base/error.h"

extern char** environ;

namespace deskbox {

namespace {

// A pipe whose ends are close-on-exec (posix_spawn's dup2 clears the flag on the child's copy).
std::pair<UniqueFd, UniqueFd> make_pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw Error("pipe: " + std::string(std::strerror(errno)));
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

LineProcess::LineProcess(const std::vector<std::string>& args, Output read) : program_(args.at(0)) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);

    auto [in_read, in_write] = make_pipe();
    auto [out_read, out_write] = make_pipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), read == Output::Stdout ? 1 : 2);
    const int rc = posix_spawnp(&pid_, program_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw Error("starting " + program_ + ": " + std::strerror(rc));
    // A pidfd, so that waiting for the exit has a timeout and cannot hit a recycled pid.
    pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
    stdin_ = std::move(in_write);
    output_ = std::move(out_read);
    reader_ = std::thread([this] { read_output(); });
}

LineProcess::~LineProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
    stdin_.reset();
    if (reader_.joinable()) reader_.join();
}

void LineProcess::read_output() {
    std::string buffer;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(output_.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t newline;
        while ((newline = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, newline);
            buffer.erase(0, newline + 1);
            std::function<void(const std::string&)> on_line;
            {
                std::lock_guard lock(mutex_);
                lines_.push_back(line);
                on_line = on_line_;
            }
            if (on_line) on_line(line);
            changed_.notify_all();
        }
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
}

void LineProcess::follow(std::function<void(const std::string&)> on_line) {
    std::vector<std::string> earlier;
    {
        std::lock_guard lock(mutex_);
        earlier = lines_;
        on_line_ = on_line;
    }
    for (const auto& l : earlier) on_line(l);
}

bool LineProcess::wait_until(const std::function<bool(const std::vector<std::string>&)>& match, int timeout_ms) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return ended_ || match(lines_); });
    return match(lines_);
}

bool LineProcess::wait_line_starting(const std::string& prefix, int timeout_ms) {
    return wait_until(
        [&](const std::vector<std::string>& lines) {
            for (const auto& l : lines)
                if (l.starts_with(prefix)) return true;
            return false;
        },
        timeout_ms);
}

std::vector<std::string> LineProcess::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void LineProcess::write_line(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(stdin_.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw Error("writing '" + line + "' to " + program_ + ": " + std::strerror(errno));
}

void LineProcess::signal(int signo) {
    if (pid_ > 0) kill(pid_, signo);
}

int LineProcess::wait_exit(int timeout_ms) {
    if (pid_ <= 0) return exit_code_;
    pollfd p{pidfd_.get(), POLLIN, 0};
    if (pidfd_ && poll(&p, 1, timeout_ms) <= 0) return -1;
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (reader_.joinable()) reader_.join();
    return exit_code_;
}

}  // namespace deskbox
