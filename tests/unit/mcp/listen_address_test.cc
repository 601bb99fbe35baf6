#include "supervisor/mcp/listen_address.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"

namespace deskbox::mcp {
namespace {

std::string parse_error(const char* text, bool allow_remote = false) {
    try {
        parse_listen_address(text, allow_remote);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

BOOST_AUTO_TEST_CASE(addresses_parse_with_loopback_by_default) {
    BOOST_TEST(parse_listen_address("8080", false).text() == "127.0.0.1:8080");
    BOOST_TEST(parse_listen_address(":8080", false).text() == "127.0.0.1:8080");
    BOOST_TEST(parse_listen_address("localhost:0", false).text() == "127.0.0.1:0");
    BOOST_TEST(parse_listen_address("127.0.0.2:9", false).loopback);
    BOOST_TEST(parse_listen_address("[::1]:8080", false).text() == "[::1]:8080");
    const ListenAddress u = parse_listen_address("unix:/run/deskbox/mcp.sock", false);
    BOOST_TEST(u.unix_socket);
    BOOST_TEST(u.path == "/run/deskbox/mcp.sock");
    BOOST_TEST(parse_listen_address("0.0.0.0:8080", true).text() == "0.0.0.0:8080");
}

BOOST_AUTO_TEST_CASE(remote_and_malformed_addresses_are_refused_with_the_reason) {
    BOOST_TEST(parse_error("0.0.0.0:8080") ==
               "refusing to listen on 0.0.0.0:8080: it is not a loopback address; pass --allow-remote to accept agents "
               "from other hosts (every request still needs a bearer token; put TLS in front, docs/mcp.md)");
    BOOST_TEST(parse_error("[::]:80").rfind("refusing to listen on [::]:80", 0) == 0);
    BOOST_TEST(parse_error("example.com:80") ==
               "listen address 'example.com:80': the host must be an IP address or localhost, got 'example.com'");
    BOOST_TEST(parse_error("127.0.0.1:http") ==
               "listen address '127.0.0.1:http': the port must be a number 0-65535 (0: any free port), got 'http'");
    BOOST_TEST(parse_error("70000").find("got '70000'") != std::string::npos);
    BOOST_TEST(parse_error("unix:relative.sock") ==
               "listen address 'unix:relative.sock': a Unix socket needs an absolute path (unix:/run/...)");
}

BOOST_AUTO_TEST_CASE(only_loopback_or_listed_origins_pass) {
    const std::vector<std::string> none;
    BOOST_TEST(origin_allowed("", none));  // not a browser
    BOOST_TEST(origin_allowed("http://localhost:6274", none));
    BOOST_TEST(origin_allowed("http://127.0.0.1", none));
    BOOST_TEST(origin_allowed("https://[::1]:8443", none));
    BOOST_TEST(!origin_allowed("http://evil.example", none));
    BOOST_TEST(!origin_allowed("http://localhost.evil.example", none));
    BOOST_TEST(!origin_allowed("http://127.0.0.1.nip.io:80", none));
    BOOST_TEST(!origin_allowed("http://localhost:80/x", none));
    BOOST_TEST(!origin_allowed("null", none));
    BOOST_TEST(origin_allowed("https://agent.example", {"https://agent.example"}));
    BOOST_TEST(!origin_allowed("https://agent.example:444", {"https://agent.example"}));
}

}  // namespace
}  // namespace deskbox::mcp
