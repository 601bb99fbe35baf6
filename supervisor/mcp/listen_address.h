// Where `deskbox mcp --http ADDR` listens, and which browser origins may
// talk to it. Pure parsing and checks, unit-tested.
//   unix:PATH        a Unix socket (mode 0600 unless --socket-mode)
//   HOST:PORT        TCP; HOST an IP address or "localhost"; [::1]:PORT for IPv6
//   PORT, :PORT      TCP on 127.0.0.1
// A TCP address that is not loopback is refused unless `allow_remote`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deskbox::mcp {

struct ListenAddress {
    bool unix_socket = false;
    std::string path;  // unix
    std::string host;  // tcp: an IP literal (IPv6 without brackets)
    unsigned short port = 0;
    bool loopback = false;
    std::string text() const;  // as the user would write it
};

// Throws deskbox::Error naming the problem.
ListenAddress parse_listen_address(std::string_view text, bool allow_remote);

// DNS-rebinding protection (MCP Streamable HTTP): a request with an Origin
// header is served only when the origin is a loopback one (http or https on
// localhost, 127.0.0.1, [::1], any port) or listed in `allowed` exactly.
// Requests without Origin (non-browser clients) pass.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace deskbox::mcp
