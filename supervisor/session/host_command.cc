#include "supervisor/session/host_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "supervisor/base/error.h"
#include "supervisor/base/host_spawner.h"
#include "supervisor/base/unique_fd.h"
#include "xsession/display/xvfb.h"

extern char** environ;

namespace deskbox {
namespace {

// The longest the loop is left to itself before `interrupted` is asked again
// (signals and sockets wake it sooner; this only bounds a missed wake-up).
constexpr Millis kSlice{100};

std::vector<std::string> supervisor_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
}

}  // namespace

void BoundedOutput::append(const char* data, std::size_t size) {
    total_ += size;
    if (kept_.size() < limit_) kept_.append(data, std::min(size, limit_ - kept_.size()));
}

HostCommandResult run_host_command(EventLoop& loop, const std::vector<std::string>& argv,
                                   const HostCommandOptions& options) {
    if (argv.empty()) throw Error("verify command: empty command");
    HostSpawner spawner(loop);
    SpawnRequest request;
    request.name = "verify command " + argv[0];
    request.argv = argv;
    request.env = supervisor_environment();
    // The spawner makes the command a session leader: its group goes with it.
    return run_spawned_command(
        loop, spawner, std::move(request), [](ProcessId pid) { kill(-pid, SIGKILL); }, options);
}

HostCommandResult run_spawned_command(EventLoop& loop, Spawner& spawner, SpawnRequest request,
                                      const std::function<void(ProcessId)>& end, const HostCommandOptions& options) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno(request.name + ": creating a pipe");
    UniqueFd out_read(pipe_fds[0]), out_write(pipe_fds[1]);
    UniqueFd null(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null) throw_errno(request.name + ": opening /dev/null");
    // The child's write end must block like any ordinary stdout.
    fcntl(out_write.get(), F_SETFL, 0);

    BoundedOutput output(options.max_output);
    auto drain = [&] {
        char buf[16384];
        for (;;) {
            const ssize_t n = read(out_read.get(), buf, sizeof buf);
            if (n > 0) {
                output.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            return n == 0;  // end of output; otherwise EAGAIN: nothing more now
        }
    };

    request.fds = {{null.get(), 0}, {out_write.get(), 1}, {out_write.get(), 2}};
    std::optional<int> status;
    const ProcessId pid = spawner.spawn(request, [&status](int s) { status = s; });
    out_write.reset();
    null.reset();
    bool output_open = true;
    loop.add_fd(out_read.get(), EPOLLIN, [&](std::uint32_t) {
        if (drain()) {
            loop.remove_fd(out_read.get());
            output_open = false;
        }
    });

    HostCommandResult result;
    result.timeout = options.timeout;
    const std::int64_t deadline = monotonic_ms() + options.timeout.count();
    try {
        while (!status) {
            if (options.interrupted && options.interrupted()) {
                result.end = HostCommandResult::End::Interrupted;
                break;
            }
            const std::int64_t left = deadline - monotonic_ms();
            if (left <= 0) {
                result.end = HostCommandResult::End::TimedOut;
                break;
            }
            loop.run_once(std::min(Millis(left), kSlice));
        }
        // The leader is not reaped before this kill (pidfd: `status` is set only
        // after waitpid), or has just been: its group id cannot have been reused.
        // Whatever the command left running in its group goes with it.
        end(pid);
        while (!status) loop.run_once(kSlice);
    } catch (...) {
        if (output_open) loop.remove_fd(out_read.get());
        end(pid);
        throw;
    }
    if (output_open) {
        drain();
        loop.remove_fd(out_read.get());
    }
    result.wait_status = *status;
    result.output = output.kept();
    result.output_bytes = output.total();
    return result;
}

std::string describe_host_command_end(const HostCommandResult& result) {
    switch (result.end) {
        case HostCommandResult::End::TimedOut:
            return "timed out after " + format_duration(result.timeout);
        case HostCommandResult::End::Interrupted:
            return "interrupted: the session is stopping";
        case HostCommandResult::End::Exited:
            break;
    }
    return describe_wait_status(result.wait_status);
}

}  // namespace deskbox
