#include "supervisor/console/vnc_bridge.h"

#include <boost/test/unit_test.hpp>
#include <deque>

#include "supervisor/base/error.h"
#include "xsession/vnc/vnc_password.h"

using namespace deskbox;
using namespace deskbox::console;

namespace {

// A side of the bridge that says scripted chunks and records what it heard.
struct Scripted {
    std::deque<std::string> says;
    std::string heard;
    ByteStream stream() {
        return {[this] {
                    if (says.empty()) return std::string();
                    std::string s = says.front();
                    says.pop_front();
                    return s;
                },
                [this](const std::string& b) { heard += b; }};
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(vnc_bridge)

BOOST_AUTO_TEST_CASE(the_console_answers_the_password_and_offers_the_browser_none) {
    const std::string challenge = "0123456789abcdef";
    Scripted server{{"RFB 003.008\n", std::string("\x01\x02", 2), challenge.substr(0, 5), challenge.substr(5),
                     std::string("\0\0\0\0", 4) + "frame"},
                    ""};
    // The browser's bytes come in odd pieces and run on past the handshake.
    Scripted browser{{"RFB 003", ".008\n", std::string("\x01", 1) + "init"}, ""};
    ByteStream b = browser.stream(), s = server.stream();
    const auto [from_browser, from_server] = rfb_handshake(b, s, "secret12");
    BOOST_TEST(server.heard == "RFB 003.008\n" + std::string("\x02", 1) + vnc_auth_response("secret12", challenge));
    BOOST_TEST(browser.heard == "RFB 003.008\n" + std::string("\x01\x01", 2) + std::string("\0\0\0\0", 4));
    BOOST_TEST(from_browser == "init");
    BOOST_TEST(from_server == "frame");
}

BOOST_AUTO_TEST_CASE(failures_name_the_step) {
    auto failure = [](std::deque<std::string> server_says, std::deque<std::string> browser_says) {
        Scripted server{std::move(server_says), ""}, browser{std::move(browser_says), ""};
        ByteStream b = browser.stream(), s = server.stream();
        try {
            rfb_handshake(b, s, "pw");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no failure");
    };
    BOOST_TEST(failure({"RFB 003.003\n"}, {}) ==
               "VNC handshake: the session's server speaks 'RFB 003.003', expected RFB 003.008");
    BOOST_TEST(failure({"RFB 003.008\n", std::string("\x01\x02", 2), "0123456789abcdef", std::string("\0\0\0\1", 4)},
                       {"RFB 003.008\n", std::string("\x01", 1)}) ==
               "VNC handshake: the session's server did not accept the console's password");
    BOOST_TEST(failure({"RFB 003.008\n", std::string("\x01\x10", 2)}, {"RFB 003.008\n"}) ==
               "VNC handshake: the session's server offers neither None nor VNC authentication");
    BOOST_TEST(failure({"RFB 003.008\n"}, {}) == "VNC handshake: the browser closed the connection at the version");
}

BOOST_AUTO_TEST_SUITE_END()
