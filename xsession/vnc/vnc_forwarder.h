// Reviewers reach the session's VNC server only through the supervisor: a
// unix socket in the session dir (and/or a host 127.0.0.1 port) whose
// connections are relayed to x11vnc listening on 127.0.0.1 inside the
// session's network namespace. The outgoing socket is created in that
// namespace; everything runs on the event loop, nothing blocks.
//
// The forwarder owns everything it uses for as long as it lives: it keeps
// its own duplicate of the namespace fd (every connection joins the namespace
// anew), so the caller's fd may close right after the constructor returns.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

struct VncForwarderOptions {
    std::string socket_path;  // empty: no unix socket
    bool tcp = false;         // also listen on 127.0.0.1
    int tcp_port = 0;         // 0: any free port
    int netns_fd = -1;        // where the target lives; -1: this namespace. Borrowed for the constructor only
    int target_port = 5900;   // x11vnc's port on 127.0.0.1 there
    // Hands the unix socket (0600) to this uid: a takeover's socket belongs to
    // the reviewer who took control (needs root; unset: the supervisor's own).
    std::optional<uid_t> socket_owner;
};

class VncForwarder {
public:
    VncForwarder(EventLoop& loop, VncForwarderOptions options);
    ~VncForwarder();  // closes every connection and removes the socket file
    VncForwarder(const VncForwarder&) = delete;
    VncForwarder& operator=(const VncForwarder&) = delete;

    int tcp_port() const { return tcp_port_; }
    const std::string& socket_path() const { return options_.socket_path; }
    std::size_t connections() const { return relays_.size(); }

private:
    struct Relay;
    void accept_from(int listener);
    void start_relay(UniqueFd client);
    void close_relay(std::uint64_t id);
    void pump(std::uint64_t id);

    EventLoop& loop_;
    VncForwarderOptions options_;
    UniqueFd netns_;  // our own duplicate of options_.netns_fd (which we never use after construction)
    UniqueFd unix_listener_;
    UniqueFd tcp_listener_;
    int tcp_port_ = 0;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::unique_ptr<Relay>> relays_;
};

}  // namespace deskbox
