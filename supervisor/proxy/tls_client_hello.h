// Reading the server name (SNI) from the first bytes a client sends through a
// CONNECT tunnel, to refuse domain fronting (CONNECT allowed.example, then a
// TLS handshake for another name). The parser is bounded and never trusts a
// length: the ClientHello may be split over several TLS records and the
// records over several reads; call it again with all bytes received so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace deskbox::proxy {

struct SniResult {
    enum class Status {
        NeedMore,   // not enough bytes yet
        Found,      // `server_name` holds the host_name entry (raw bytes, not normalized)
        NoSni,      // a complete ClientHello without a server_name extension
        NotTls,     // the stream does not start with a TLS handshake record
        Malformed,  // a TLS record or ClientHello that breaks the rules; `error` says how
    };
    Status status = Status::NeedMore;
    std::string server_name;
    std::string error;
};

// The largest ClientHello accepted (post-quantum key shares make hellos of
// a few KiB; 64 KiB leaves room without letting a client make us buffer more).
constexpr std::size_t kMaxClientHello = 64 * 1024;

SniResult parse_client_hello_sni(std::span<const std::uint8_t> stream);

}  // namespace deskbox::proxy
