#include "supervisor/proxy/address_class.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

namespace deskbox::proxy {
namespace {

bool in_v4(std::uint32_t a, std::uint32_t net, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~0u << (32 - bits);
    return (a & mask) == (net & mask);
}

constexpr std::uint32_t v4(int a, int b, int c, int d) {
    return static_cast<std::uint32_t>(a) << 24 | static_cast<std::uint32_t>(b) << 16 |
           static_cast<std::uint32_t>(c) << 8 | static_cast<std::uint32_t>(d);
}

bool in_v6(const in6_addr& a, std::initializer_list<std::uint8_t> prefix, int bits) {
    std::uint8_t p[16] = {};
    std::size_t i = 0;
    for (auto b : prefix) p[i++] = b;
    for (int bit = 0; bit < bits; ++bit) {
        const int byte = bit / 8, shift = 7 - bit % 8;
        if (((a.s6_addr[byte] >> shift) & 1) != ((p[byte] >> shift) & 1)) return false;
    }
    return true;
}

}  // namespace

const char* address_class_name(AddressClass c) {
    switch (c) {
        case AddressClass::Public:
            return "public";
        case AddressClass::Unspecified:
            return "unspecified";
        case AddressClass::ThisNetwork:
            return "this-network";
        case AddressClass::Loopback:
            return "loopback";
        case AddressClass::Private:
            return "private";
        case AddressClass::SharedCgnat:
            return "shared (CGNAT)";
        case AddressClass::LinkLocal:
            return "link-local";
        case AddressClass::UniqueLocal:
            return "unique-local";
        case AddressClass::Multicast:
            return "multicast";
        case AddressClass::Broadcast:
            return "broadcast";
        case AddressClass::Documentation:
            return "documentation";
        case AddressClass::Benchmarking:
            return "benchmarking";
        case AddressClass::Reserved:
            return "reserved";
        case AddressClass::Ipv4Mapped:
            return "IPv4-mapped";
    }
    return "reserved";
}

AddressClass classify_ipv4(const in_addr& addr) {
    const std::uint32_t a = ntohl(addr.s_addr);
    if (a == 0) return AddressClass::Unspecified;
    if (a == 0xffffffffu) return AddressClass::Broadcast;
    if (in_v4(a, v4(0, 0, 0, 0), 8)) return AddressClass::ThisNetwork;
    if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressClass::Loopback;
    if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) || in_v4(a, v4(192, 168, 0, 0), 16))
        return AddressClass::Private;
    if (in_v4(a, v4(100, 64, 0, 0), 10)) return AddressClass::SharedCgnat;
    if (in_v4(a, v4(169, 254, 0, 0), 16)) return AddressClass::LinkLocal;
    if (in_v4(a, v4(192, 0, 2, 0), 24) || in_v4(a, v4(198, 51, 100, 0), 24) || in_v4(a, v4(203, 0, 113, 0), 24))
        return AddressClass::Documentation;
    if (in_v4(a, v4(198, 18, 0, 0), 15)) return AddressClass::Benchmarking;
    if (in_v4(a, v4(224, 0, 0, 0), 4)) return AddressClass::Multicast;
    // 192.0.0.0/24 protocol assignments, 192.88.99.0/24 old 6to4 relays, 240/4 future use.
    if (in_v4(a, v4(192, 0, 0, 0), 24) || in_v4(a, v4(192, 88, 99, 0), 24) || in_v4(a, v4(240, 0, 0, 0), 4))
        return AddressClass::Reserved;
    return AddressClass::Public;
}

AddressClass classify_ipv6(const in6_addr& a) {
    static const in6_addr any = IN6ADDR_ANY_INIT;
    static const in6_addr loop = IN6ADDR_LOOPBACK_INIT;
    if (std::memcmp(&a, &any, sizeof a) == 0) return AddressClass::Unspecified;
    if (std::memcmp(&a, &loop, sizeof a) == 0) return AddressClass::Loopback;
    // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d through a dual-stack socket;
    // a name has no business resolving to it. ::/96 (IPv4-compatible) likewise.
    if (in_v6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96) || in_v6(a, {}, 96)) return AddressClass::Ipv4Mapped;
    if (in_v6(a, {0x00, 0x64, 0xff, 0x9b}, 96)) {
        // NAT64 well-known prefix: as public as the IPv4 address it translates to.
        in_addr embedded{};
        std::memcpy(&embedded, &a.s6_addr[12], 4);
        return classify_ipv4(embedded);
    }
    if (in_v6(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) return AddressClass::Private;
    if (in_v6(a, {0xff}, 8)) return AddressClass::Multicast;
    if (in_v6(a, {0xfe, 0x80}, 10)) return AddressClass::LinkLocal;
    if (in_v6(a, {0xfe, 0xc0}, 10)) return AddressClass::Private;
    if (in_v6(a, {0xfc}, 7)) return AddressClass::UniqueLocal;
    if (in_v6(a, {0x20, 0x01, 0x0d, 0xb8}, 32) || in_v6(a, {0x3f, 0xff}, 20)) return AddressClass::Documentation;
    if (in_v6(a, {0x20, 0x01}, 23) || in_v6(a, {0x20, 0x02}, 16) || in_v6(a, {0x01, 0x00}, 64))
        return AddressClass::Reserved;
    if (!in_v6(a, {0x20}, 3)) return AddressClass::Reserved;  // global unicast is 2000::/3
    return AddressClass::Public;
}

AddressClass classify(const sockaddr_storage& addr) {
    if (addr.ss_family == AF_INET) return classify_ipv4(reinterpret_cast<const sockaddr_in&>(addr).sin_addr);
    if (addr.ss_family == AF_INET6) return classify_ipv6(reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr);
    return AddressClass::Reserved;
}

std::string format_address(const sockaddr_storage& addr) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (addr.ss_family == AF_INET) {
        const auto& s = reinterpret_cast<const sockaddr_in&>(addr);
        inet_ntop(AF_INET, &s.sin_addr, buf, sizeof buf);
        return std::string(buf) + ":" + std::to_string(ntohs(s.sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        const auto& s = reinterpret_cast<const sockaddr_in6&>(addr);
        inet_ntop(AF_INET6, &s.sin6_addr, buf, sizeof buf);
        return "[" + std::string(buf) + "]:" + std::to_string(ntohs(s.sin6_port));
    }
    return "?";
}

}  // namespace deskbox::proxy
