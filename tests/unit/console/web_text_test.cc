#include "supervisor/console/web_text.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/console/listen_address.h"

using namespace deskbox;
using namespace deskbox::console;

BOOST_AUTO_TEST_SUITE(web_text)

BOOST_AUTO_TEST_CASE(the_login_cookie_is_httponly_strict_and_expires) {
    BOOST_TEST(login_cookie("abc", 3600, false) ==
               "deskbox_console=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
    BOOST_TEST(login_cookie("abc", 60, true) ==
               "deskbox_console=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
    BOOST_TEST(logout_cookie(false) == "deskbox_console=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

BOOST_AUTO_TEST_CASE(cookies_are_found_by_name) {
    BOOST_TEST(cookie_value("a=1; deskbox_console=xyz; b=2", kCookieName).value_or("?") == "xyz");
    BOOST_TEST(cookie_value("deskbox_console_evil=1", kCookieName).has_value() == false);
    BOOST_TEST(cookie_value("", kCookieName).has_value() == false);
    BOOST_TEST(cookie_value("junk; x = y ", "x").value_or("?") == "y");
}

BOOST_AUTO_TEST_CASE(forms_decode_and_refuse_bad_escapes) {
    const auto form = parse_form("token=a%2Bb+c&note=&csrf=x&csrf=second");
    BOOST_REQUIRE(form.has_value());
    BOOST_TEST(form->at("token") == "a+b c");
    BOOST_TEST(form->at("note") == "");
    BOOST_TEST(form->at("csrf") == "x");  // the first value counts
    BOOST_TEST(!parse_form("a=%zz").has_value());
    BOOST_TEST(!parse_form("a=%2").has_value());
    BOOST_TEST(url_encode("a b/c") == "a%20b%2Fc");
    BOOST_TEST(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

BOOST_AUTO_TEST_CASE(listen_addresses_are_checked) {
    const auto tcp = parse_listen_address("127.0.0.1:7480");
    BOOST_TEST(!tcp.unix_socket);
    BOOST_TEST(tcp.host == "127.0.0.1");
    BOOST_TEST(tcp.port == 7480);
    BOOST_TEST(parse_listen_address("[::1]:8080").host == "::1");
    BOOST_TEST(parse_listen_address("unix:/run/deskbox-console.sock").path == "/run/deskbox-console.sock");
    auto message = [](const std::string& text) {
        try {
            parse_listen_address(text);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    BOOST_TEST(message("localhost:80") ==
               "--listen 'localhost:80': the host 'localhost' is not a numeric IPv4 or IPv6 address");
    BOOST_TEST(message("127.0.0.1:99999") ==
               "--listen '127.0.0.1:99999': the port '99999' is not a number from 0 to 65535");
    BOOST_TEST(message("unix:relative") == "--listen 'unix:relative': expected unix:/ABSOLUTE/PATH");
    BOOST_TEST(message("7480") == "--listen '7480': expected unix:PATH or HOST:PORT");
}

BOOST_AUTO_TEST_SUITE_END()
