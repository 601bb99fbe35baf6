#include "xsession/vnc/vnc_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "supervisor/base/error.h"
#include "supervisor/base/netns.h"

namespace deskbox {
namespace {

constexpr std::size_t kMaxBuffered = 1 << 20;  // per direction: stop reading when the peer is this far behind

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

}  // namespace

struct VncForwarder::Relay {
    UniqueFd client;
    UniqueFd server;
    bool connected = false;
    std::string to_server, to_client;
    bool client_eof = false, server_eof = false;
};

VncForwarder::VncForwarder(EventLoop& loop, VncForwarderOptions options) : loop_(loop), options_(std::move(options)) {
    if (options_.netns_fd >= 0) {
        netns_.reset(fcntl(options_.netns_fd, F_DUPFD_CLOEXEC, 3));
        if (!netns_) throw_errno("keeping the session's network namespace for the VNC forwarder");
        options_.netns_fd = -1;  // the caller's number: it may be closed (and reused) from now on
    }
    if (!options_.socket_path.empty()) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (options_.socket_path.size() >= sizeof address.sun_path) {
            throw Error("VNC socket path is too long: " + options_.socket_path);
        }
        std::memcpy(address.sun_path, options_.socket_path.c_str(), options_.socket_path.size() + 1);
        unix_listener_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!unix_listener_) throw_errno("creating the VNC socket");
        unlink(options_.socket_path.c_str());  // a stale socket of an earlier run of this session
        // Created owner-only: umask-independent, no window where others could connect.
        const mode_t old_mask = umask(0177);
        const int bound = bind(unix_listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
        umask(old_mask);
        if (bound != 0) throw_errno("binding the VNC socket " + options_.socket_path);
        if (options_.socket_owner &&
            chown(options_.socket_path.c_str(), *options_.socket_owner, static_cast<gid_t>(-1)) != 0)
            throw_errno("handing the VNC socket " + options_.socket_path + " to uid " +
                        std::to_string(*options_.socket_owner));
        if (listen(unix_listener_.get(), 16) != 0) throw_errno("listening on the VNC socket");
        const int fd = unix_listener_.get();
        loop_.add_fd(fd, EPOLLIN, [this, fd](std::uint32_t) { accept_from(fd); });
    }
    if (options_.tcp) {
        tcp_listener_.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!tcp_listener_) throw_errno("creating the VNC TCP socket");
        const int one = 1;
        setsockopt(tcp_listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in address = loopback(options_.tcp_port);
        if (bind(tcp_listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw_errno("binding the VNC port 127.0.0.1:" + std::to_string(options_.tcp_port));
        }
        if (listen(tcp_listener_.get(), 16) != 0) throw_errno("listening on the VNC port");
        socklen_t length = sizeof address;
        getsockname(tcp_listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
        tcp_port_ = ntohs(address.sin_port);
        const int fd = tcp_listener_.get();
        loop_.add_fd(fd, EPOLLIN, [this, fd](std::uint32_t) { accept_from(fd); });
    }
}

VncForwarder::~VncForwarder() {
    while (!relays_.empty()) close_relay(relays_.begin()->first);
    if (unix_listener_) {
        loop_.remove_fd(unix_listener_.get());
        unlink(options_.socket_path.c_str());
    }
    if (tcp_listener_) loop_.remove_fd(tcp_listener_.get());
}

void VncForwarder::accept_from(int listener) {
    for (;;) {
        UniqueFd client(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!client) return;  // EAGAIN: all taken; other errors: the client went away
        try {
            start_relay(std::move(client));
        } catch (const Error& error) {
            std::fprintf(stderr, "deskbox: VNC connection dropped: %s\n", error.what());
        }
    }
}

void VncForwarder::start_relay(UniqueFd client) {
    auto relay = std::make_unique<Relay>();
    relay->client = std::move(client);
    relay->server = netns_ ? socket_in_netns(netns_.get(), AF_INET, SOCK_STREAM | SOCK_NONBLOCK)
                           : UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!relay->server) throw_errno("creating the socket to the session's VNC server");
    const sockaddr_in target = loopback(options_.target_port);
    if (connect(relay->server.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0 &&
        errno != EINPROGRESS) {
        throw_errno("connecting to the session's VNC server on 127.0.0.1:" + std::to_string(options_.target_port));
    }
    const std::uint64_t id = next_id_++;
    const int client_fd = relay->client.get(), server_fd = relay->server.get();
    relays_.emplace(id, std::move(relay));
    loop_.add_fd(client_fd, EPOLLIN | EPOLLRDHUP, [this, id](std::uint32_t) { pump(id); });
    loop_.add_fd(server_fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, [this, id](std::uint32_t) { pump(id); });
}

void VncForwarder::close_relay(std::uint64_t id) {
    auto it = relays_.find(id);
    if (it == relays_.end()) return;
    loop_.remove_fd(it->second->client.get());
    loop_.remove_fd(it->second->server.get());
    relays_.erase(it);
}

// Moves whatever can move in both directions, then re-arms interest.
void VncForwarder::pump(std::uint64_t id) {
    auto it = relays_.find(id);
    if (it == relays_.end()) return;
    Relay& r = *it->second;
    if (!r.connected) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(r.server.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            std::fprintf(stderr, "deskbox: VNC connection dropped: connecting to the session's VNC server: %s\n",
                         std::strerror(error));
            close_relay(id);
            return;
        }
        sockaddr_in peer{};
        socklen_t peer_length = sizeof peer;
        if (getpeername(r.server.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0)
            return;  // still connecting
        r.connected = true;
    }
    auto read_into = [](int fd, std::string& buffer, bool& eof) {
        char chunk[65536];
        while (!eof && buffer.size() < kMaxBuffered) {
            const ssize_t n = read(fd, chunk, sizeof chunk);
            if (n > 0) {
                buffer.append(chunk, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                eof = true;
            } else {
                break;
            }
        }
    };
    auto write_from = [](int fd, std::string& buffer) -> bool {
        while (!buffer.empty()) {
            const ssize_t n = send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
            if (n > 0) {
                buffer.erase(0, static_cast<std::size_t>(n));
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                return true;
            } else {
                return false;
            }
        }
        return true;
    };
    read_into(r.client.get(), r.to_server, r.client_eof);
    read_into(r.server.get(), r.to_client, r.server_eof);
    if (!write_from(r.server.get(), r.to_server) || !write_from(r.client.get(), r.to_client)) {
        close_relay(id);
        return;
    }
    // Either side gone and everything delivered: done (VNC has no half-close use).
    if ((r.client_eof && r.to_server.empty()) || (r.server_eof && r.to_client.empty())) {
        close_relay(id);
        return;
    }
    const std::uint32_t client_events =
        (r.to_server.size() < kMaxBuffered ? EPOLLIN : 0u) | (r.to_client.empty() ? 0u : EPOLLOUT) | EPOLLRDHUP;
    const std::uint32_t server_events =
        (r.to_client.size() < kMaxBuffered ? EPOLLIN : 0u) | (r.to_server.empty() ? 0u : EPOLLOUT) | EPOLLRDHUP;
    loop_.modify_fd(r.client.get(), client_events);
    loop_.modify_fd(r.server.get(), server_events);
}

}  // namespace deskbox
