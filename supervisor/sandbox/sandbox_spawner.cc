#include "supervisor/sandbox/sandbox_spawner.h"

#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/protocol.h"

namespace deskbox::sandbox {

SandboxSpawner::SandboxSpawner(int control_fd, EventLoop& loop) : control_(control_fd), loop_(loop) {
    loop_.add_fd(control_, EPOLLIN, [this](std::uint32_t) { on_readable(); });
}

SandboxSpawner::~SandboxSpawner() {
    if (!lost_) loop_.remove_fd(control_);
}

void SandboxSpawner::handle(const std::string& bytes) {
    MessageReader r(bytes);
    if (r.type() != MessageType::Exited) return;
    const ProcessId pid = r.i32();
    const int status = r.i32();
    if (!r.ok()) return;
    auto it = exits_.find(pid);
    if (it == exits_.end()) return;
    auto callback = std::move(it->second);
    exits_.erase(it);
    if (callback) callback(status);
}

void SandboxSpawner::on_readable() {
    for (;;) {
        Packet packet;
        bool got = false;
        try {
            got = receive_packet(control_, packet, true);
        } catch (const Error&) {
            errno = 0;  // treated as end of stream below
        }
        if (got) {
            handle(packet.bytes);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // End of stream: init is gone, and with it every process it started.
        loop_.remove_fd(control_);
        lost_ = true;
        if (on_init_lost_) on_init_lost_();
        return;
    }
}

ProcessId SandboxSpawner::spawn(const SpawnRequest& request, std::function<void(int)> on_exit) {
    return spawn(request, std::move(on_exit), 0);
}

ProcessId SandboxSpawner::spawn(const SpawnRequest& request, std::function<void(int)> on_exit, int oom_score_adj) {
    if (oom_score_adj < 0 || oom_score_adj > 1000)
        throw Error("starting " + request.name + ": oom_score_adj out of range");
    if (lost_) throw Error("starting " + request.name + ": the sandbox init has exited");
    if (request.argv.empty()) throw Error("starting " + request.name + ": empty command");
    const std::uint32_t id = next_id_++;
    MessageWriter w(MessageType::Spawn);
    w.u32(id)
        .u32(request.browser_sandbox ? 1 : 0)
        .i32(oom_score_adj)
        .strings(request.argv)
        .strings(request.env)
        .str(request.cwd);
    w.u32(static_cast<std::uint32_t>(request.fds.size()));
    std::vector<int> fds;
    for (const auto& [fd, target] : request.fds) {
        w.i32(target);
        fds.push_back(fd);
    }
    send_packet(control_, w.bytes(), fds);
    // Wait for the answer. Exit reports that arrive first are handled on the loop later.
    for (;;) {
        pollfd p{control_, POLLIN, 0};
        if (poll(&p, 1, 30'000) == 0) throw Error("starting " + request.name + ": the sandbox init did not answer");
        Packet packet;
        if (!receive_packet(control_, packet)) throw Error("starting " + request.name + ": the sandbox init exited");
        MessageReader r(packet.bytes);
        if (r.type() != MessageType::SpawnResult) {
            std::string bytes = std::move(packet.bytes);
            loop_.post([this, bytes = std::move(bytes)] { handle(bytes); });
            continue;
        }
        const std::uint32_t answered = r.u32();
        const ProcessId pid = r.i32();
        const std::string error = r.str();
        if (!r.ok() || answered != id)
            throw Error("starting " + request.name + ": garbled answer from the sandbox init");
        if (pid <= 0) throw Error("starting " + request.name + ": " + error);
        exits_[pid] = std::move(on_exit);
        return pid;
    }
}

void SandboxSpawner::signal(ProcessId id, int signo) {
    if (lost_ || !exits_.count(id)) return;
    send_packet(control_, MessageWriter(MessageType::Signal).i32(id).i32(signo).bytes());
}

}  // namespace deskbox::sandbox
