#include "supervisor/mcp/listen_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "supervisor/base/error.h"

namespace deskbox::mcp {

std::string ListenAddress::text() const {
    if (unix_socket) return "unix:" + path;
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

unsigned short parse_port(std::string_view text, std::string_view whole) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port > 65535)
        throw Error("listen address '" + std::string(whole) +
                    "': the port must be a number 0-65535 (0: any free port), got '" + std::string(text) + "'");
    return static_cast<unsigned short>(port);
}

bool is_loopback(const std::string& host, bool& valid) {
    in_addr v4{};
    in6_addr v6{};
    valid = true;
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    valid = false;
    return false;
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text, bool allow_remote) {
    ListenAddress a;
    if (text.rfind("unix:", 0) == 0) {
        a.unix_socket = true;
        a.path = std::string(text.substr(5));
        if (a.path.empty() || a.path[0] != '/')
            throw Error("listen address '" + std::string(text) +
                        "': a Unix socket needs an absolute path (unix:/run/...)");
        if (a.path.size() >= 108)
            throw Error("listen address '" + std::string(text) + "': the socket path is too long");
        a.loopback = true;
        return a;
    }
    std::string_view host, port;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw Error("listen address '" + std::string(text) + "': expected [IPV6]:PORT");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    } else {
        port = text;
    }
    a.port = parse_port(port, text);
    a.host = host.empty() || host == "localhost" ? "127.0.0.1" : std::string(host);
    bool valid = false;
    a.loopback = is_loopback(a.host, valid);
    if (!valid)
        throw Error("listen address '" + std::string(text) + "': the host must be an IP address or localhost, got '" +
                    std::string(host) + "'");
    if (!a.loopback && !allow_remote)
        throw Error("refusing to listen on " + a.text() +
                    ": it is not a loopback address; pass --allow-remote to accept agents from other hosts "
                    "(every request still needs a bearer token; put TLS in front, docs/mcp.md)");
    return a;
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed) {
    if (origin.empty()) return true;
    if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) return true;
    std::string_view rest;
    if (origin.rfind("http://", 0) == 0)
        rest = origin.substr(7);
    else if (origin.rfind("https://", 0) == 0)
        rest = origin.substr(8);
    else
        return false;  // "null", file:, anything else
    std::string_view host = rest;
    if (!rest.empty() && rest[0] == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return false;
        host = rest.substr(0, close + 1);
        rest = rest.substr(close + 1);
    } else {
        const auto colon = rest.find(':');
        host = rest.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
    }
    if (!rest.empty()) {  // ":PORT" only, nothing after it
        if (rest[0] != ':' || rest.size() < 2 ||
            !std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
    }
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

}  // namespace deskbox::mcp
