// One host command of a `verify` check, run without holding the session: it
// is started through HostSpawner (everything the child needs is built before
// fork; no allocation between fork and exec), and waited for by running the
// session's event loop in short slices, so that signals, the review socket's
// `stop` and everything else keep being served meanwhile. The command is
// killed (its whole process group: the spawner makes it a session leader)
// when its timeout passes or when `interrupted` says so; what it prints
// (stdout and stderr together) is kept up to a bound, the rest only counted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/base/units.h"

namespace deskbox {

// Keeps the first `limit` bytes of a stream and counts all of them.
class BoundedOutput {
public:
    explicit BoundedOutput(std::size_t limit) : limit_(limit) {}
    void append(const char* data, std::size_t size);
    const std::string& kept() const { return kept_; }
    std::uint64_t total() const { return total_; }
    bool truncated() const { return total_ > kept_.size(); }

private:
    std::size_t limit_;
    std::string kept_;
    std::uint64_t total_ = 0;
};

struct HostCommandResult {
    enum class End { Exited, TimedOut, Interrupted } end = End::Exited;
    int wait_status = 0;  // Exited: as waitpid reports it
    Millis timeout{0};
    std::string output;              // at most the limit
    std::uint64_t output_bytes = 0;  // all that was printed
};

struct HostCommandOptions {
    Millis timeout{30'000};
    std::size_t max_output = 16 << 10;
    // Checked after every slice of the loop: true kills the command now.
    std::function<bool()> interrupted;
};

// Throws deskbox::Error when the command cannot start (not found, not executable).
HostCommandResult run_host_command(EventLoop& loop, const std::vector<std::string>& argv,
                                   const HostCommandOptions& options);

// The same for any spawner (a LibreOffice conversion inside the sandbox):
// `request` gets stdin from /dev/null and stdout+stderr into the bounded
// pipe; `end` must end the command and everything it started (it is called
// at the timeout or interruption, then the exit is awaited).
HostCommandResult run_spawned_command(EventLoop& loop, Spawner& spawner, SpawnRequest request,
                                      const std::function<void(ProcessId)>& end, const HostCommandOptions& options);

// "exit status 0", "killed by signal 9", "timed out after 5 s", "interrupted: the session is stopping".
std::string describe_host_command_end(const HostCommandResult& result);

}  // namespace deskbox
