// deskbox::Spawner on top of the sandbox init: each spawn is a request to
// init over the control socket (argv, env, cwd, descriptors as SCM_RIGHTS
// with their child numbers, the browser_sandbox flag); init answers with the
// pid (pid inside the sandbox) or the step that failed, and later reports the
// exit, which is delivered to on_exit on the EventLoop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"

namespace deskbox::sandbox {

constexpr int kAppOomScoreAdj = 500;

class SandboxSpawner : public Spawner {
public:
    // `control_fd` stays owned by the Sandbox; the spawner watches it on `loop`.
    SandboxSpawner(int control_fd, EventLoop& loop);
    ~SandboxSpawner() override;

    // Blocks until init has answered (the exec has happened or failed).
    ProcessId spawn(const SpawnRequest& request, std::function<void(int wait_status)> on_exit) override;
    // The same with an oom_score_adj (0..1000) for the process: the session starts
    // apps at kAppOomScoreAdj so that under memory pressure an app dies before the X server.
    ProcessId spawn(const SpawnRequest& request, std::function<void(int wait_status)> on_exit, int oom_score_adj);
    void signal(ProcessId id, int signo) override;

    // Called once (on the loop) when init's socket closes: init has died.
    void set_on_init_lost(std::function<void()> callback) { on_init_lost_ = std::move(callback); }
    // Processes started and not yet reported as exited.
    std::size_t running() const { return exits_.size(); }

private:
    void on_readable();
    void handle(const std::string& bytes);

    int control_;
    EventLoop& loop_;
    std::uint32_t next_id_ = 1;
    std::map<ProcessId, std::function<void(int)>> exits_;
    std::function<void()> on_init_lost_;
    bool lost_ = false;
};

}  // namespace deskbox::sandbox
