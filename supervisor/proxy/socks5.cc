#include "supervisor/proxy/socks5.h"

#include <arpa/inet.h>

namespace deskbox::proxy::socks5 {

Greeting parse_greeting(std::span<const std::uint8_t> data) {
    Greeting g;
    if (data.size() < 2) return g;
    if (data[0] != kVersion || data[1] == 0) {
        g.status = Status::Bad;
        return g;
    }
    const std::size_t n = data[1];
    if (data.size() < 2 + n) return g;
    for (std::size_t i = 0; i < n; ++i)
        if (data[2 + i] == 0) g.no_auth = true;
    g.status = Status::Complete;
    g.length = 2 + n;
    return g;
}

Request parse_request(std::span<const std::uint8_t> data) {
    Request r;
    auto bad = [&](Reply code, const std::string& why) {
        r.status = Status::Bad;
        r.refusal = code;
        r.error = why;
        return r;
    };
    if (data.size() < 4) return r;
    if (data[0] != kVersion || data[2] != 0) return bad(Reply::GeneralFailure, "malformed SOCKS5 request");
    if (data[1] != 1) return bad(Reply::CommandNotSupported, "SOCKS5 command other than CONNECT");
    std::size_t addr_len = 0, addr_start = 4;
    switch (data[3]) {
        case 1:
            addr_len = 4;
            break;
        case 4:
            addr_len = 16;
            break;
        case 3:
            if (data.size() < 5) return r;
            addr_len = data[4];
            addr_start = 5;
            if (addr_len == 0) return bad(Reply::GeneralFailure, "empty SOCKS5 host name");
            break;
        default:
            return bad(Reply::AddressTypeNotSupported, "unknown SOCKS5 address type");
    }
    if (data.size() < addr_start + addr_len + 2) return r;
    const auto* addr = data.data() + addr_start;
    char buf[INET6_ADDRSTRLEN] = {};
    if (data[3] == 1) {
        inet_ntop(AF_INET, addr, buf, sizeof buf);
        r.host = buf;
    } else if (data[3] == 4) {
        inet_ntop(AF_INET6, addr, buf, sizeof buf);
        r.host = buf;
    } else {
        r.host.assign(reinterpret_cast<const char*>(addr), addr_len);
    }
    r.port = static_cast<std::uint16_t>(data[addr_start + addr_len] << 8 | data[addr_start + addr_len + 1]);
    if (r.port == 0) return bad(Reply::GeneralFailure, "SOCKS5 port 0");
    r.status = Status::Complete;
    r.length = addr_start + addr_len + 2;
    return r;
}

std::string reply(Reply code) {
    return std::string{static_cast<char>(kVersion), static_cast<char>(code), 0, 1, 0, 0, 0, 0, 0, 0};
}

}  // namespace deskbox::proxy::socks5
