#include "supervisor/session/cleanup.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/cgroups.h"
#include "supervisor/session/session_lock.h"

namespace deskbox {

std::vector<std::string> cleanup_session(const CleanupPlan& plan) {
    std::vector<std::string> problems;
    for (const auto& dir : plan.cgroup_dirs) {
        try {
            sandbox::remove_cgroup_dir(dir);
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
    }
    std::error_code ec;
    if (!plan.session_dir.empty() && std::filesystem::exists(plan.session_dir, ec)) {
        bool keep_ok = true;
        for (const char* name : {"audit.jsonl", "status.json"}) {
            const auto from = plan.session_dir / name;
            if (!std::filesystem::exists(from, ec)) continue;
            std::filesystem::create_directories(plan.logs_dir, ec);
            if (!ec)
                std::filesystem::copy_file(from, plan.logs_dir / name,
                                           std::filesystem::copy_options::overwrite_existing, ec);
            if (ec) {
                problems.push_back("keeping " + from.string() + " in " + plan.logs_dir.string() + ": " + ec.message());
                if (std::string(name) == "audit.jsonl") keep_ok = false;
            }
        }
        // Never lose the audit log: the session dir stays if it could not be kept.
        if (keep_ok) {
            std::filesystem::remove_all(plan.session_dir, ec);
            if (ec) problems.push_back("removing " + plan.session_dir.string() + ": " + ec.message());
        }
    }
    return problems;
}

Janitor Janitor::start(CleanupPlan plan, std::vector<std::pair<int, std::filesystem::path>> locks) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw_errno("creating the janitor pipe");
    const pid_t pid = fork();
    if (pid < 0) throw_errno("forking the janitor");
    if (pid == 0) {
        // Only the pipe and the locks stay open: above all, not the sandbox's
        // control socket (init must see it close when the supervisor dies).
        std::vector<int> keep = {p[0]};
        for (auto& [fd, path] : locks) keep.push_back(fd);
        int next = 100;
        for (int& fd : keep) fd = fcntl(fd, F_DUPFD_CLOEXEC, next++);
        syscall(SYS_close_range, 3u, 99u, 0u);
        syscall(SYS_close_range, static_cast<unsigned>(next), ~0u, 0u);
        for (std::size_t i = 1; i < keep.size(); ++i) locks[i - 1].first = keep[i];
        // The terminal's Ctrl-C and systemd's stop signal are for the supervisor.
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        prctl(PR_SET_NAME, "deskbox-janitor", 0, 0, 0);
        char byte = 0;
        ssize_t n;
        do {
            n = read(keep[0], &byte, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1 && byte == 'D') _exit(0);  // the supervisor cleaned up itself
        for (const auto& problem : cleanup_session(plan)) {
            const std::string line = "deskbox-janitor: " + problem + "\n";
            [[maybe_unused]] auto w = write(2, line.data(), line.size());
        }
        for (const auto& [fd, path] : locks) unlink_if_same_file(path, fd);
        _exit(0);
    }
    close(p[0]);
    Janitor j;
    j.pid_ = pid;
    j.pipe_.reset(p[1]);
    return j;
}

void Janitor::dismiss() {
    if (!pid_) return;
    const char done = 'D';
    [[maybe_unused]] auto w = write(pipe_.get(), &done, 1);
    pipe_.reset();
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
}

}  // namespace deskbox
