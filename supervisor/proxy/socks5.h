// SOCKS5 (RFC 1928) as far as a sandboxed client needs it: no authentication,
// CONNECT only, addresses as names (remote resolution: "socks5h://") or IP
// literals. Pure parsing; the proxy does the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace deskbox::proxy::socks5 {

constexpr std::uint8_t kVersion = 5;

enum class Reply : std::uint8_t {
    Succeeded = 0,
    GeneralFailure = 1,
    NotAllowed = 2,
    HostUnreachable = 4,
    ConnectionRefused = 5,
    CommandNotSupported = 7,
    AddressTypeNotSupported = 8,
};

enum class Status { NeedMore, Complete, Bad };

// Client greeting: VER NMETHODS METHODS. `no_auth` tells whether method 0 was offered.
struct Greeting {
    Status status = Status::NeedMore;
    std::size_t length = 0;
    bool no_auth = false;
};
Greeting parse_greeting(std::span<const std::uint8_t> data);

// Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
struct Request {
    Status status = Status::NeedMore;
    std::size_t length = 0;
    Reply refusal = Reply::GeneralFailure;  // when Bad: the reply to send
    std::string error;
    std::string host;  // a name, or an IP literal in text form
    std::uint16_t port = 0;
};
Request parse_request(std::span<const std::uint8_t> data);

// The 10-byte reply with a zero IPv4 bound address.
std::string reply(Reply code);

}  // namespace deskbox::proxy::socks5
