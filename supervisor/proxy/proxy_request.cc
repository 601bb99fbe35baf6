#include "supervisor/proxy/proxy_request.h"

#include "supervisor/base/host_name.h"

namespace deskbox::proxy {
namespace {

using Status = RequestParse::Status;

RequestParse bad(const std::string& why) {
    RequestParse r;
    r.status = Status::Bad;
    r.error = why;
    return r;
}

bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_token_char(c)) return false;
    return true;
}

// Headers that belong to the client-proxy hop and never reach the origin.
bool is_hop_header(const std::string& lower_name) {
    return lower_name == "proxy-connection" || lower_name == "proxy-authorization" ||
           lower_name == "proxy-authenticate" || lower_name == "connection" || lower_name == "keep-alive" ||
           lower_name == "host" || lower_name == "te" || lower_name == "upgrade";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool split_authority(std::string_view authority, std::uint16_t default_port, std::string& host, std::uint16_t& port) {
    std::string_view h, p;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        h = authority.substr(1, close - 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            p = rest.substr(1);
            if (p.empty()) return false;
        }
    } else {
        const auto colon = authority.rfind(':');
        if (colon == std::string_view::npos) {
            h = authority;
        } else {
            h = authority.substr(0, colon);
            p = authority.substr(colon + 1);
            if (p.empty()) return false;
            if (h.find(':') != std::string_view::npos) return false;  // bare IPv6 without brackets
        }
    }
    if (h.empty()) return false;
    if (p.empty()) {
        if (default_port == 0) return false;
        port = default_port;
    } else {
        if (p.size() > 5) return false;
        unsigned value = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return false;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value < 1 || value > 65535) return false;
        port = static_cast<std::uint16_t>(value);
    }
    host = std::string(h);
    return true;
}

RequestParse parse_proxy_request(std::string_view data) {
    const auto end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() >= kMaxRequestHead) return bad("request head larger than 16 KiB");
        return {};
    }
    if (end + 4 > kMaxRequestHead) return bad("request head larger than 16 KiB");
    const std::string_view head = data.substr(0, end + 2);  // each line ends with CRLF
    RequestParse result;
    result.head_length = end + 4;
    ProxyRequest& req = result.request;

    std::size_t pos = 0;
    auto next_line = [&](std::string_view& line) {
        const auto eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) return false;
        line = head.substr(pos, eol - pos);
        pos = eol + 2;
        return true;
    };
    std::string_view line;
    next_line(line);
    for (char c : line)
        if (c == '\r' || c == '\n' || c == '\0') return bad("control character in request line");
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == sp2) return bad("malformed request line");
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return bad("malformed method");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad("unsupported HTTP version");
    if (target.empty() || target.find(' ') != std::string_view::npos) return bad("malformed request target");

    while (next_line(line)) {
        for (char c : line)
            if (c == '\r' || c == '\n' || c == '\0') return bad("control character in a header");
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) return bad("folded header line");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return bad("malformed header line");
        const std::string name(line.substr(0, colon));
        if (is_hop_header(ascii_lower(name))) continue;
        req.headers.emplace_back(name, std::string(trim(line.substr(colon + 1))));
    }

    if (method == "CONNECT") {
        req.kind = ProxyRequest::Kind::Connect;
        if (!split_authority(target, 0, req.host, req.port)) return bad("CONNECT needs host:port");
        req.headers.clear();
        result.status = Status::Complete;
        return result;
    }
    req.kind = ProxyRequest::Kind::Forward;
    constexpr std::string_view scheme = "http://";
    if (target.size() < scheme.size() || ascii_lower(target.substr(0, scheme.size())) != scheme)
        return bad("a plain-HTTP proxy request needs an absolute http:// URI (use CONNECT for https)");
    const std::string_view rest = target.substr(scheme.size());
    const auto path_start = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, path_start);
    if (authority.find('@') != std::string_view::npos) return bad("user information in the URI is refused");
    if (!split_authority(authority, 80, req.host, req.port)) return bad("malformed host in the URI");
    std::string origin = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
    if (origin.front() == '#') return bad("fragment in the request target");
    if (origin.front() == '?') origin.insert(0, "/");
    req.method = std::string(method);
    req.origin_target = std::move(origin);
    req.version = std::string(version);
    result.status = Status::Complete;
    return result;
}

std::string build_origin_request(const ProxyRequest& request, const std::string& host_header) {
    std::string out = request.method + " " + request.origin_target + " " + request.version + "\r\n";
    out += "Host: " + host_header + "\r\n";
    for (const auto& [name, value] : request.headers) out += name + ": " + value + "\r\n";
    out += "Connection: close\r\n\r\n";
    return out;
}

}  // namespace deskbox::proxy
