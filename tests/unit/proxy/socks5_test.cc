#include "supervisor/proxy/socks5.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

using namespace deskbox::proxy;
using Bytes = std::vector<std::uint8_t>;

BOOST_TEST_DONT_PRINT_LOG_VALUE(deskbox::proxy::socks5::Status)

BOOST_AUTO_TEST_SUITE(socks5_messages)

BOOST_AUTO_TEST_CASE(greeting) {
    BOOST_TEST(socks5::parse_greeting(Bytes{5}).status == socks5::Status::NeedMore);
    BOOST_TEST(socks5::parse_greeting(Bytes{5, 2, 0}).status == socks5::Status::NeedMore);
    const auto g = socks5::parse_greeting(Bytes{5, 2, 2, 0});
    BOOST_TEST(g.status == socks5::Status::Complete);
    BOOST_TEST(g.no_auth);
    BOOST_TEST(g.length == 4u);
    BOOST_TEST(!socks5::parse_greeting(Bytes{5, 1, 2}).no_auth);
    BOOST_TEST(socks5::parse_greeting(Bytes{4, 1, 0}).status == socks5::Status::Bad);
}

BOOST_AUTO_TEST_CASE(requests) {
    Bytes name = {5, 1, 0, 3, 15};
    const std::string host = "allowed.example";
    name.insert(name.end(), host.begin(), host.end());
    name.insert(name.end(), {0x01, 0xbb});
    for (std::size_t n = 0; n < name.size(); ++n)
        BOOST_TEST(socks5::parse_request(Bytes(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(n))).status ==
                   socks5::Status::NeedMore);
    const auto r = socks5::parse_request(name);
    BOOST_TEST(r.host == host);
    BOOST_TEST(r.port == 443);
    BOOST_TEST(r.length == name.size());
    const auto v4 = socks5::parse_request(Bytes{5, 1, 0, 1, 169, 254, 169, 254, 0, 80});
    BOOST_TEST(v4.host == "169.254.169.254");
    Bytes v6 = {5, 1, 0, 4};
    v6.insert(v6.end(), 15, 0);
    v6.insert(v6.end(), {1, 0, 80});
    BOOST_TEST(socks5::parse_request(v6).host == "::1");
    const auto bind = socks5::parse_request(Bytes{5, 2, 0, 1, 1, 2, 3, 4, 0, 80});
    BOOST_TEST(bind.status == socks5::Status::Bad);
    BOOST_TEST(static_cast<int>(bind.refusal) == 7);
    BOOST_TEST(static_cast<int>(socks5::parse_request(Bytes{5, 1, 0, 9, 0}).refusal) == 8);
    BOOST_TEST(socks5::reply(socks5::Reply::NotAllowed) == std::string("\x05\x02\x00\x01\0\0\0\0\0\0", 10));
}

BOOST_AUTO_TEST_SUITE_END()
