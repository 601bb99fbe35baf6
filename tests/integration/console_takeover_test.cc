// Takeover through the web console: a real session (the bundled default
// manifest with review.takeover: true), a real `deskbox console`, and two
// reviewers' live views as WebSocket RFB clients (Boost.Beast, as noVNC
// speaks to the console). Alice clicks Take control (a POST with her CSRF
// token): her page offers Hand back and input, her live view's keys reach the
// app; Bob's page still offers Take control, and his live view's keys go
// nowhere; the agent is refused meanwhile. Hand back ends Alice's WebSocket.
// The audit log names alice via console for the start and the end.
#define BOOST_TEST_MODULE deskbox console takeover
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>

#include "tests/integration/agent_probe.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct Console {
    int port = 0;
    http::response<http::string_body> send(http::verb verb, const std::string& target, const std::string& cookie,
                                           const std::string& form = {}) {
        asio::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
        http::request<http::string_body> request{verb, target, 11};
        request.set(http::field::host, "127.0.0.1");
        if (!cookie.empty()) request.set(http::field::cookie, cookie);
        if (verb == http::verb::post) {
            request.set(http::field::content_type, "application/x-www-form-urlencoded");
            request.body() = form;
            request.prepare_payload();
        }
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return response;
    }
};

struct Reviewer {
    std::string cookie, csrf;
};

Reviewer log_in(Console& console, const std::string& token, const std::string& session) {
    const auto login = console.send(http::verb::post, "/login", "", "token=" + token);
    const std::string set_cookie(login[http::field::set_cookie]);
    BOOST_TEST_REQUIRE(!set_cookie.empty(), login.body());
    Reviewer r{set_cookie.substr(0, set_cookie.find(';')), ""};
    const std::string page = console.send(http::verb::get, "/session/" + session, r.cookie).body();
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(page, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")), page);
    r.csrf = m[1];
    return r;
}

// The live view as noVNC sees it: RFB over the console's WebSocket, where
// the console already answered the VNC password (security type None here).
class LiveView {
public:
    LiveView(int port, const std::string& cookie, const std::string& session) : ws_(io_) {
        asio::connect(ws_.next_layer(), tcp::resolver(io_).resolve("127.0.0.1", std::to_string(port)));
        // Every read ends within 30 s: a console that never answers fails the test instead of hanging it.
        timeval tv{30, 0};
        ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ws_.set_option(beast::websocket::stream_base::decorator([cookie](beast::websocket::request_type& r) {
            r.set(http::field::cookie, cookie);
            r.set(http::field::sec_websocket_protocol, "binary");
        }));
        ws_.handshake("127.0.0.1", "/session/" + session + "/vnc");
        ws_.binary(true);
        send(read(12));  // the server's version, echoed
        const std::string types = read(static_cast<unsigned char>(read(1)[0]));
        BOOST_TEST_REQUIRE(types.find('\x01') != std::string::npos, "no security type None from the console");
        send(std::string(1, '\x01'));
        BOOST_TEST_REQUIRE(read(4) == std::string(4, '\0'));
        send(std::string(1, '\x01'));  // shared
        const std::string init = read(24);
        read(static_cast<std::size_t>(static_cast<unsigned char>(init[20])) << 24 |
             static_cast<unsigned char>(init[21]) << 16 | static_cast<unsigned char>(init[22]) << 8 |
             static_cast<unsigned char>(init[23]));
    }
    void type(const std::string& text) {
        for (char c : text)
            for (char down : {'\x01', '\x00'}) send(std::string{'\x04', down, '\0', '\0', '\0', '\0', '\0', c});
        // A 1x1 full update answered: the server handled the keys before it.
        send(std::string{'\x03', '\0', '\0', '\0', '\0', '\0', '\0', '\x01', '\0', '\x01'});
        while (read(1) != std::string(1, '\0')) {
        }
    }
    // True when the console closed the WebSocket (reads until then); false after the receive timeout.
    bool closed() {
        try {
            for (;;) read(1 << 16);
        } catch (const beast::system_error& e) {
            return e.code() != asio::error::would_block && e.code() != asio::error::try_again &&
                   e.code() != asio::error::timed_out;
        }
    }

private:
    std::string read(std::size_t n) {
        while (pending_.size() < n) {
            beast::flat_buffer b;
            ws_.read(b);
            pending_ += beast::buffers_to_string(b.data());
        }
        std::string out = pending_.substr(0, n);
        pending_.erase(0, n);
        return out;
    }
    void send(const std::string& bytes) { ws_.write(asio::buffer(bytes)); }

    asio::io_context io_;
    beast::websocket::stream<tcp::socket> ws_;
    std::string pending_;
};

std::string token_for(const TestDirs& dirs, const std::string& name) {
    const auto [code, out] = run_deskbox(dirs, {"console", "token", "add", name});
    BOOST_TEST_REQUIRE(code == 0, out);
    return out.substr(0, out.find('\n'));
}

}  // namespace

BOOST_AUTO_TEST_CASE(only_the_reviewer_who_took_control_in_the_console_has_input) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-console-takeover";
    SessionProcess session(dirs, dirs.manifest(name, default_manifest_yaml(name, true)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    const std::string alice_token = token_for(dirs, "alice"), bob_token = token_for(dirs, "bob");
    SessionProcess console_process(dirs, DeskboxArgs{{"console", "--listen", "127.0.0.1:0"}});
    BOOST_REQUIRE_MESSAGE(console_process.wait_for("deskbox console: listening on ", 30'000), console_process.output());
    std::smatch m;
    const std::string said = console_process.output();
    BOOST_REQUIRE_MESSAGE(std::regex_search(said, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/")),
                          said);
    Console console{std::stoi(m[1])};

    AgentProbe agent((dirs.runtime() / name / "agent.sock").string());
    agent.wait_for_text_element();
    agent.call({{"action", "focus_element"}, {"role", "text"}});
    const std::string before = agent.text();

    Reviewer alice = log_in(console, alice_token, name), bob = log_in(console, bob_token, name);
    const std::string base = "/session/" + name;
    // Without the CSRF token: refused, nothing taken.
    BOOST_TEST(console.send(http::verb::post, base + "/takeover", alice.cookie).result_int() == 403);
    const auto taken = console.send(http::verb::post, base + "/takeover", alice.cookie, "csrf=" + alice.csrf);
    BOOST_TEST_REQUIRE(taken.result_int() == 303, taken.body());

    const std::string alice_page = console.send(http::verb::get, base, alice.cookie).body();
    BOOST_TEST(alice_page.find(base + "/handback") != std::string::npos);
    BOOST_TEST(alice_page.find("data-view-only=\"false\"") != std::string::npos);
    const std::string bob_page = console.send(http::verb::get, base, bob.cookie).body();
    BOOST_TEST(bob_page.find(base + "/takeover") != std::string::npos);
    BOOST_TEST(bob_page.find("data-view-only") == std::string::npos);
    BOOST_TEST(bob_page.find("taken over by a reviewer") != std::string::npos);

    const Json click = agent.call_raw({{"action", "left_click"}, {"coordinate", {100, 100}}});
    BOOST_TEST(click.dump().find("reviewer alice via console has taken control") != std::string::npos, click.dump());

    LiveView bob_view(console.port, bob.cookie, name);
    bob_view.type("bobview");
    LiveView alice_view(console.port, alice.cookie, name);
    alice_view.type("alicectl");

    const auto back = console.send(http::verb::post, base + "/handback", alice.cookie, "csrf=" + alice.csrf);
    BOOST_TEST_REQUIRE(back.result_int() == 303, back.body());
    BOOST_TEST(alice_view.closed());
    BOOST_TEST(agent.text() == before + "alicectl");  // Alice's keys, none of Bob's

    BOOST_TEST(run_deskbox(dirs, {"stop", "-s", name}).first == 0);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    std::ifstream in(dirs.state() / name / "audit.jsonl");
    std::vector<Json> controls;
    for (std::string line; std::getline(in, line);)
        if (const Json r = Json::parse(line); r["type"] == "control") controls.push_back(r["data"]);
    BOOST_REQUIRE(controls.size() >= 2u);
    BOOST_TEST(controls[0]["action"] == "takeover.start");
    BOOST_TEST(controls[0]["by"]["reviewer"] == "alice");
    BOOST_TEST(controls[0]["by"]["via"] == "console");
    BOOST_TEST(controls[1]["action"] == "takeover.end");
    BOOST_TEST(controls[1]["by"]["reviewer"] == "alice");
}
