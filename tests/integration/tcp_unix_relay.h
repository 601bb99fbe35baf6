// Bridges a 127.0.0.1 port to a unix socket, for clients that speak TCP only
// (vncsnapshot to a session's vnc.sock): each connection to port() gets its
// own connection to the socket and a thread that copies both ways until
// either side closes. The destructor stops accepting and joins them all.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox::test {

class TcpUnixRelay {
public:
    explicit TcpUnixRelay(std::string socket_path);
    ~TcpUnixRelay();
    TcpUnixRelay(const TcpUnixRelay&) = delete;
    TcpUnixRelay& operator=(const TcpUnixRelay&) = delete;
    int port() const { return port_; }

private:
    void accept_loop();

    std::string path_;
    UniqueFd listener_;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::vector<std::thread> pumps_;
};

}  // namespace deskbox::test
