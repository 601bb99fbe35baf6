#include "supervisor/base/host_name.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace deskbox {
namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxRaw = 1024;  // longer input is refused before any work

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// What inet_aton() and getaddrinfo() would read as an IPv4 address although it
// is not a dotted quad: "127.1", "0x7f000001", "017700000001", "2130706433".
// Such names are refused so that no resolver gets to reinterpret them.
bool looks_numeric(std::string_view name) {
    const auto dot = name.rfind('.');
    const std::string_view last = dot == std::string_view::npos ? name : name.substr(dot + 1);
    if (last.empty()) return false;
    if (last.size() > 2 && last[0] == '0' && last[1] == 'x') return true;
    for (char c : last)
        if (c < '0' || c > '9') return false;
    return true;  // a DNS top-level label is never all digits
}

bool valid_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Checks an already lowercased ASCII name label by label.
bool check_ascii_name(std::string_view name, std::string* why) {
    if (name.empty()) {
        *why = "empty host name";
        return false;
    }
    if (name.size() > kMaxName) {
        *why = "host name longer than 253 bytes";
        return false;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        const std::string_view label = name.substr(start, end - start);
        if (label.empty()) {
            *why = "empty label in '" + std::string(name) + "'";
            return false;
        }
        if (label.size() > kMaxLabel) {
            *why = "label longer than 63 bytes in host name";
            return false;
        }
        for (char c : label)
            if (!valid_label_char(c)) {
                *why = "character not allowed in a host name in '" + std::string(name) + "'";
                return false;
            }
        if (label.front() == '-' || label.back() == '-') {
            *why = "label starts or ends with '-' in '" + std::string(name) + "'";
            return false;
        }
        start = end + 1;
    }
    return true;
}

struct IdnFree {
    void operator()(char* p) const { idn2_free(p); }
};

}  // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<HostName> normalize_host(std::string_view raw, std::string* why) {
    std::string scratch;
    if (!why) why = &scratch;
    if (raw.size() > kMaxRaw) {
        *why = "host name too long";
        return std::nullopt;
    }
    if (raw.find('\0') != std::string_view::npos) {
        *why = "NUL byte in host name";
        return std::nullopt;
    }
    HostName host;
    const std::string text(raw);
    if (text.find(':') != std::string::npos) {
        // Only an IPv6 literal contains ':'. Zone ids ("fe80::1%eth0") name a
        // host interface and are never meaningful to a sandboxed client.
        if (text.find('%') != std::string::npos || inet_pton(AF_INET6, text.c_str(), &host.v6) != 1) {
            *why = "not a valid IPv6 address: '" + text + "'";
            return std::nullopt;
        }
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &host.v6, buf, sizeof buf);
        host.kind = HostName::Kind::Ipv6;
        host.text = buf;
        return host;
    }
    std::string name = text;
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (inet_pton(AF_INET, name.c_str(), &host.v4) == 1) {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &host.v4, buf, sizeof buf);
        host.kind = HostName::Kind::Ipv4;
        host.text = buf;
        return host;
    }
    if (is_ascii(name)) {
        name = ascii_lower(name);
    } else {
        // UTS #46 processing: case folding, NFC, compatibility mapping, then
        // punycode per label. Invalid UTF-8 or disallowed code points fail.
        char* out = nullptr;
        const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(name.c_str()), reinterpret_cast<uint8_t**>(&out),
                                      IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        std::unique_ptr<char, IdnFree> owned(out);
        if (rc != IDN2_OK || !out) {
            *why = std::string("not a valid internationalized host name: ") + idn2_strerror(rc);
            return std::nullopt;
        }
        name = ascii_lower(out);
        if (!name.empty() && name.back() == '.') name.pop_back();
    }
    if (!check_ascii_name(name, why)) return std::nullopt;
    if (looks_numeric(name)) {
        *why = "numeric host '" + name + "' is not a dotted-quad IPv4 address";
        return std::nullopt;
    }
    host.kind = HostName::Kind::Name;
    host.text = std::move(name);
    return host;
}

}  // namespace deskbox
