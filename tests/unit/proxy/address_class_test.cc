#include "supervisor/proxy/address_class.h"

#include <arpa/inet.h>

#include <boost/test/unit_test.hpp>

using namespace deskbox::proxy;

namespace deskbox::proxy {
std::ostream& operator<<(std::ostream& o, AddressClass c) {
    return o << address_class_name(c);
}
}  // namespace deskbox::proxy

namespace {

AddressClass cls(const char* text) {
    sockaddr_storage ss{};
    if (inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in&>(ss).sin_addr) == 1) {
        ss.ss_family = AF_INET;
    } else {
        BOOST_REQUIRE(inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6&>(ss).sin6_addr) == 1);
        ss.ss_family = AF_INET6;
    }
    return classify(ss);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(address_classes)

BOOST_AUTO_TEST_CASE(ipv4) {
    BOOST_TEST(cls("0.0.0.0") == AddressClass::Unspecified);
    BOOST_TEST(cls("0.1.2.3") == AddressClass::ThisNetwork);
    BOOST_TEST(cls("127.0.0.1") == AddressClass::Loopback);
    BOOST_TEST(cls("127.255.255.254") == AddressClass::Loopback);
    BOOST_TEST(cls("10.1.2.3") == AddressClass::Private);
    BOOST_TEST(cls("172.16.0.1") == AddressClass::Private);
    BOOST_TEST(cls("172.31.255.255") == AddressClass::Private);
    BOOST_TEST(cls("172.32.0.1") == AddressClass::Public);
    BOOST_TEST(cls("192.168.1.1") == AddressClass::Private);
    BOOST_TEST(cls("100.64.0.1") == AddressClass::SharedCgnat);
    BOOST_TEST(cls("100.127.255.255") == AddressClass::SharedCgnat);
    BOOST_TEST(cls("100.128.0.1") == AddressClass::Public);
    BOOST_TEST(cls("169.254.169.254") == AddressClass::LinkLocal);
    BOOST_TEST(cls("192.0.2.1") == AddressClass::Documentation);
    BOOST_TEST(cls("198.51.100.1") == AddressClass::Documentation);
    BOOST_TEST(cls("203.0.113.1") == AddressClass::Documentation);
    BOOST_TEST(cls("198.18.0.1") == AddressClass::Benchmarking);
    BOOST_TEST(cls("198.19.255.1") == AddressClass::Benchmarking);
    BOOST_TEST(cls("224.0.0.1") == AddressClass::Multicast);
    BOOST_TEST(cls("239.255.255.250") == AddressClass::Multicast);
    BOOST_TEST(cls("240.0.0.1") == AddressClass::Reserved);
    BOOST_TEST(cls("192.0.0.8") == AddressClass::Reserved);
    BOOST_TEST(cls("255.255.255.255") == AddressClass::Broadcast);
    BOOST_TEST(cls("8.8.8.8") == AddressClass::Public);
    BOOST_TEST(cls("93.184.216.34") == AddressClass::Public);
}

BOOST_AUTO_TEST_CASE(ipv6) {
    BOOST_TEST(cls("::") == AddressClass::Unspecified);
    BOOST_TEST(cls("::1") == AddressClass::Loopback);
    BOOST_TEST(cls("::ffff:127.0.0.1") == AddressClass::Ipv4Mapped);
    BOOST_TEST(cls("::ffff:8.8.8.8") == AddressClass::Ipv4Mapped);
    BOOST_TEST(cls("::127.0.0.1") == AddressClass::Ipv4Mapped);
    BOOST_TEST(cls("64:ff9b::a9fe:a9fe") == AddressClass::LinkLocal);  // NAT64 of 169.254.169.254
    BOOST_TEST(cls("64:ff9b::808:808") == AddressClass::Public);
    BOOST_TEST(cls("fe80::1") == AddressClass::LinkLocal);
    BOOST_TEST(cls("fec0::1") == AddressClass::Private);
    BOOST_TEST(cls("fc00::1") == AddressClass::UniqueLocal);
    BOOST_TEST(cls("fd12:3456::1") == AddressClass::UniqueLocal);
    BOOST_TEST(cls("ff02::1") == AddressClass::Multicast);
    BOOST_TEST(cls("2001:db8::1") == AddressClass::Documentation);
    BOOST_TEST(cls("3fff::1") == AddressClass::Documentation);
    BOOST_TEST(cls("2001::1") == AddressClass::Reserved);            // Teredo
    BOOST_TEST(cls("2002:c000:0204::1") == AddressClass::Reserved);  // 6to4
    BOOST_TEST(cls("100::1") == AddressClass::Reserved);
    BOOST_TEST(cls("4000::1") == AddressClass::Reserved);
    BOOST_TEST(cls("2606:4700::1111") == AddressClass::Public);
    BOOST_TEST(cls("2a00:1450:4001::1") == AddressClass::Public);
}

BOOST_AUTO_TEST_CASE(names_and_format) {
    BOOST_TEST(std::string(address_class_name(AddressClass::LinkLocal)) == "link-local");
    sockaddr_storage ss{};
    auto& s = reinterpret_cast<sockaddr_in6&>(ss);
    s.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::1", &s.sin6_addr);
    s.sin6_port = htons(443);
    BOOST_TEST(format_address(ss) == "[::1]:443");
}

BOOST_AUTO_TEST_SUITE_END()
