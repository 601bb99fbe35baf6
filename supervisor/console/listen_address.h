// Where `deskbox console` listens: "unix:PATH" (a Unix socket, for a reverse
// proxy on the same host) or "HOST:PORT" / "[V6]:PORT" (TCP). The default is
// loopback only: reviewers reach it through a TLS reverse proxy or an SSH
// tunnel (docs/review.md).
#pragma once

#include <cstdint>
#include <string>

namespace deskbox::console {

inline constexpr std::uint16_t kDefaultPort = 7480;
inline constexpr const char* kDefaultListen = "127.0.0.1:7480";

struct ListenAddress {
    bool unix_socket = false;
    std::string path;  // unix
    std::string host;  // tcp: a numeric address
    std::uint16_t port = 0;
};

// Throws deskbox::Error naming what is wrong with `text`.
ListenAddress parse_listen_address(const std::string& text);

}  // namespace deskbox::console
