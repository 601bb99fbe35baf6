// HostSpawner: a Spawner that forks plain host processes (no sandbox). Tests
// and benchmarks of the X side use it to start Xvfb, apps and x11vnc; the
// sandbox provides the real Spawner for sessions.
//
// Each child gets its own session (setsid) and dies with the parent
// (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind. Exit is
// observed through a pidfd on the event loop: never a recycled pid.
#pragma once

#include <map>
#include <memory>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

class HostSpawner : public Spawner {
public:
    explicit HostSpawner(EventLoop& loop);
    // Stops every child still running (SIGTERM, SIGKILL after 2 s) and reaps it.
    ~HostSpawner() override;
    HostSpawner(const HostSpawner&) = delete;
    HostSpawner& operator=(const HostSpawner&) = delete;

    ProcessId spawn(const SpawnRequest& request, std::function<void(int wait_status)> on_exit) override;
    void signal(ProcessId id, int signo) override;

    // Number of children not reaped yet.
    std::size_t running() const { return children_.size(); }

private:
    struct Child {
        UniqueFd pidfd;
        std::function<void(int)> on_exit;
    };
    void reap(ProcessId pid);

    EventLoop& loop_;
    std::map<ProcessId, std::unique_ptr<Child>> children_;
};

// Looks `name` up in PATH (as execvp would) before forking; a name with a '/'
// is returned as is. Throws deskbox::Error naming the program when not found.
std::string find_program(const std::string& name, const std::string& path_env);

}  // namespace deskbox
