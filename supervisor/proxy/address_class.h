// What kind of address a name resolved to. The proxy connects only to public
// unicast addresses, unless the manifest's `resolve:` map names the host
// explicitly (test hosts on loopback); everything else (loopback, RFC 1918,
// link-local with the cloud metadata service at 169.254.169.254, CGNAT, ULA,
// multicast, documentation and reserved ranges, IPv4-mapped IPv6...) is refused.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

namespace deskbox::proxy {

enum class AddressClass {
    Public,
    Unspecified,    // 0.0.0.0, ::
    ThisNetwork,    // 0.0.0.0/8
    Loopback,       // 127.0.0.0/8, ::1
    Private,        // 10/8, 172.16/12, 192.168/16, fec0::/10, 64:ff9b:1::/48
    SharedCgnat,    // 100.64.0.0/10
    LinkLocal,      // 169.254.0.0/16, fe80::/10
    UniqueLocal,    // fc00::/7
    Multicast,      // 224.0.0.0/4, ff00::/8
    Broadcast,      // 255.255.255.255
    Documentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
    Benchmarking,   // 198.18.0.0/15
    Reserved,       // 240/4, 192.0.0/24, 2001::/23, 2002::/16, 100::/64, outside 2000::/3...
    Ipv4Mapped,     // ::ffff:0:0/96 (and ::/96 IPv4-compatible)
};

const char* address_class_name(AddressClass c);

AddressClass classify_ipv4(const in_addr& addr);
AddressClass classify_ipv6(const in6_addr& addr);
// AF_INET or AF_INET6 socket address; any other family is Reserved.
AddressClass classify(const sockaddr_storage& addr);

// "127.0.0.1:8080", "[::1]:443"
std::string format_address(const sockaddr_storage& addr);

}  // namespace deskbox::proxy
