#include "supervisor/proxy/proxy_request.h"

#include <boost/test/unit_test.hpp>

using namespace deskbox::proxy;
using Status = RequestParse::Status;

BOOST_TEST_DONT_PRINT_LOG_VALUE(deskbox::proxy::RequestParse::Status)
BOOST_TEST_DONT_PRINT_LOG_VALUE(deskbox::proxy::ProxyRequest::Kind)

namespace {

RequestParse parse(const std::string& s) {
    return parse_proxy_request(s);
}
bool is_bad(const std::string& s) {
    return parse(s).status == Status::Bad;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_request)

BOOST_AUTO_TEST_CASE(connect) {
    const auto r = parse("CONNECT allowed.example:443 HTTP/1.1\r\nHost: allowed.example:443\r\n\r\n\x16\x03");
    BOOST_REQUIRE(r.status == Status::Complete);
    BOOST_TEST(r.request.kind == ProxyRequest::Kind::Connect);
    BOOST_TEST(r.request.host == "allowed.example");
    BOOST_TEST(r.request.port == 443);
    BOOST_TEST(r.head_length == 67u);
    const auto v6 = parse("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n");
    BOOST_TEST(v6.request.host == "2001:db8::1");
    BOOST_TEST(v6.request.port == 8443);
}

BOOST_AUTO_TEST_CASE(need_more_until_blank_line) {
    BOOST_TEST(parse("CONNECT a.example:443 HTTP/1.1\r\n").status == Status::NeedMore);
    BOOST_TEST(parse("").status == Status::NeedMore);
    BOOST_TEST(is_bad(std::string(kMaxRequestHead, 'a')));
}

BOOST_AUTO_TEST_CASE(connect_needs_a_port) {
    BOOST_TEST(is_bad("CONNECT allowed.example HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("CONNECT allowed.example:0 HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("CONNECT allowed.example:65536 HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("CONNECT allowed.example:44x HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("CONNECT ::1:443 HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("CONNECT [::1 HTTP/1.1\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(forward_rewrites_to_origin_form) {
    const auto r = parse(
        "GET http://Allowed.Example:8080/runs/1?token=secret HTTP/1.1\r\n"
        "Host: evil.example\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
        "Connection: keep-alive\r\nAccept: */*\r\nUser-Agent: curl/7.88.1\r\n\r\nBODY");
    BOOST_REQUIRE(r.status == Status::Complete);
    const auto& q = r.request;
    BOOST_TEST(q.kind == ProxyRequest::Kind::Forward);
    BOOST_TEST(q.host == "Allowed.Example");
    BOOST_TEST(q.port == 8080);
    BOOST_TEST(q.origin_target == "/runs/1?token=secret");
    BOOST_TEST(build_origin_request(q, "allowed.example:8080") ==
               "GET /runs/1?token=secret HTTP/1.1\r\nHost: allowed.example:8080\r\nAccept: */*\r\n"
               "User-Agent: curl/7.88.1\r\nConnection: close\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(forward_targets) {
    BOOST_TEST(parse("GET http://a.example HTTP/1.1\r\n\r\n").request.origin_target == "/");
    BOOST_TEST(parse("GET http://a.example?x=1 HTTP/1.0\r\n\r\n").request.origin_target == "/?x=1");
    BOOST_TEST(parse("GET HTTP://a.example/ HTTP/1.1\r\n\r\n").request.port == 80);
    BOOST_TEST(is_bad("GET /relative HTTP/1.1\r\nHost: a.example\r\n\r\n"));
    BOOST_TEST(is_bad("GET https://a.example/ HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("GET http://allowed.example@evil.example/ HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("GET http:///path HTTP/1.1\r\n\r\n"));
    BOOST_TEST(is_bad("GET http://a.example/ HTTP/2\r\n\r\n"));
    BOOST_TEST(is_bad("G@T http://a.example/ HTTP/1.1\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(header_smuggling_shapes_are_refused) {
    BOOST_TEST(is_bad("GET http://a.example/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"));
    BOOST_TEST(is_bad("GET http://a.example/ HTTP/1.1\r\nX a\r\n\r\n"));
    BOOST_TEST(is_bad("GET http://a.example/ HTTP/1.1\r\nX: a\nY: b\r\n\r\n"));
    BOOST_TEST(is_bad("GET http://a.example/ HTTP/1.1\r\nBad Name: a\r\n\r\n"));
    BOOST_TEST(is_bad(std::string("GET http://a.example/ HTTP/1.1\r\nX: a\0b\r\n\r\n", 42)));
}

BOOST_AUTO_TEST_SUITE_END()
