// The first message of a proxy client: an HTTP request head (CONNECT
// host:port, or a plain-HTTP request with an absolute URI), parsed with
// bounds and strictness; anything unusual is refused, not repaired.
// Forwarded plain-HTTP requests are rewritten to origin form with the proxy's
// own headers removed, one request per upstream connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deskbox::proxy {

constexpr std::size_t kMaxRequestHead = 16 * 1024;

struct ProxyRequest {
    enum class Kind { Connect, Forward };
    Kind kind = Kind::Connect;
    std::string host;  // as the client wrote it, brackets of IPv6 literals removed
    std::uint16_t port = 0;
    // Forward only:
    std::string method;
    std::string origin_target;                                 // "/path?query"
    std::string version;                                       // "HTTP/1.1"
    std::vector<std::pair<std::string, std::string>> headers;  // kept headers, in order
};

struct RequestParse {
    enum class Status { NeedMore, Complete, Bad };
    Status status = Status::NeedMore;
    ProxyRequest request;
    std::size_t head_length = 0;  // bytes of the head, including the blank line
    std::string error;            // when Bad: what was wrong (never echoes the path)
};

RequestParse parse_proxy_request(std::string_view data);

// "host:port" / "[v6]:port" -> host, port. `default_port` 0: the port is required.
bool split_authority(std::string_view authority, std::uint16_t default_port, std::string& host, std::uint16_t& port);

// The request as the origin server gets it: origin-form target, the proxy's
// headers gone, Host set from `host_header`, "Connection: close".
std::string build_origin_request(const ProxyRequest& request, const std::string& host_header);

}  // namespace deskbox::proxy
