// Host names as deskbox compares them. Every name a client sends to the egress
// proxy, every browser document's host the gate sees and every name a manifest
// or policy lists goes through normalize_host(), so that all sides are
// compared in one canonical form (host patterns: host_pattern.h):
//   - ASCII letters lowercased, one trailing dot removed;
//   - internationalized names turned into their A-label ("xn--...") form by
//     libidn2 (UTS #46 non-transitional mapping, NFC input), so "BÜCHER.example",
//     "bücher.example" and "xn--bcher-kva.example" are one name;
//   - IP literals recognised and written canonically ("::1", "127.0.0.1");
//     numeric forms that resolvers accept but that are not dotted quads
//     ("127.1", "0x7f.0.0.1", "2130706433") are refused rather than guessed.
// Anything else that is not a plausible DNS name (empty labels, labels over 63
// bytes, names over 253 bytes, characters outside [a-z0-9-_]) is refused.
#pragma once

#include <netinet/in.h>

#include <optional>
#include <string>
#include <string_view>

namespace deskbox {

struct HostName {
    enum class Kind { Name, Ipv4, Ipv6 };
    Kind kind = Kind::Name;
    std::string text;  // canonical form (see above)
    in_addr v4{};      // when kind == Ipv4
    in6_addr v6{};     // when kind == Ipv6

    bool is_ip() const { return kind != Kind::Name; }
};

// Returns the canonical host, or nullopt with `why` set ("empty label in 'a..b'").
// `raw` is a bare host: IPv6 literals come without their brackets.
std::optional<HostName> normalize_host(std::string_view raw, std::string* why);

// Lowercase ASCII copy (bytes >= 0x80 unchanged).
std::string ascii_lower(std::string_view text);

}  // namespace deskbox
