#include "tests/integration/tcp_unix_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "supervisor/base/error.h"

namespace deskbox::test {
namespace {

constexpr int kIdleTimeoutMs = 60'000;  // a relay with no traffic this long is abandoned

void pump(int a, int b) {
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    char buf[65536];
    for (;;) {
        if (poll(fds, 2, kIdleTimeoutMs) <= 0) return;
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents) continue;
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) return;
            for (ssize_t sent = 0; sent < n;) {
                const ssize_t w = send(fds[1 - i].fd, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
                if (w <= 0) return;
                sent += w;
            }
        }
    }
}

}  // namespace

TcpUnixRelay::TcpUnixRelay(std::string socket_path) : path_(std::move(socket_path)) {
    listener_.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (!listener_ || bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        listen(listener_.get(), 8) != 0 || getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &length) != 0)
        throw_errno("relay to " + path_ + ": listening on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

TcpUnixRelay::~TcpUnixRelay() {
    stop_ = true;
    shutdown(listener_.get(), SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    for (auto& t : pumps_) t.join();
}

void TcpUnixRelay::accept_loop() {
    for (;;) {
        UniqueFd client(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (stop_) return;
        if (!client) continue;
        UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
        if (connect(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            // The client sees its connection close: its own check fails, and this says why.
            std::cerr << "relay: connecting to " << path_ << ": " << std::strerror(errno) << "\n";
            continue;
        }
        pumps_.emplace_back([c = std::move(client), s = std::move(server)] { pump(c.get(), s.get()); });
    }
}

}  // namespace deskbox::test
