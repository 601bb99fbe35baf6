#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "supervisor/control/jsonl_server.h"
#include "tests/unit/control/socket_helpers.h"

namespace deskbox {
namespace {

using test::Peer;

// A connection whose handler answers {"id":..,"ok":true,"echo":request}.
struct EchoFixture {
    EventLoop loop;
    std::shared_ptr<JsonlConnection> conn;
    std::unique_ptr<Peer> peer;
    std::vector<Json> requests;
    std::string close_reason;
    bool answer = true;

    explicit EchoFixture(JsonlLimits limits = {}) {
        auto [a, b] = test::make_socketpair();
        conn = JsonlConnection::create(
            loop, std::move(a), limits,
            [this](const std::shared_ptr<JsonlConnection>& c, Json request) {
                requests.push_back(request);
                if (!answer) return;
                Json reply = {{"ok", true}, {"echo", request}};
                if (request.contains("id")) reply["id"] = request["id"];
                c->reply(reply);
            },
            [this](JsonlConnection&, const std::string& reason) { close_reason = reason; });
        peer = std::make_unique<Peer>(loop, std::move(b));
    }
    std::string code_of(const Json& reply) { return reply.at("error").at("code").get<std::string>(); }
};

BOOST_AUTO_TEST_CASE(valid_request_is_handled_and_id_echoed) {
    EchoFixture f;
    f.peer->send("{\"id\":7,\"action\":\"screenshot\"}\n");
    const Json reply = f.peer->line();
    BOOST_TEST(reply["id"] == 7);
    BOOST_TEST(reply["ok"] == true);
    BOOST_TEST(reply["echo"]["action"] == "screenshot");
}

BOOST_AUTO_TEST_CASE(malformed_lines_get_error_objects_and_connection_survives) {
    EchoFixture f;
    f.peer->send("{not json\n");
    f.peer->send("[1,2,3]\n");
    f.peer->send("\"just a string\"\n");
    f.peer->send(std::string("{\"text\":\"\xC3\x28\"}\n"));              // invalid UTF-8
    f.peer->send(std::string("{\"text\":\"\xED\xA0\x80\"}\n"));          // UTF-16 surrogate encoded
    f.peer->send(std::string(100, '[') + std::string(100, ']') + "\n");  // too deep
    f.peer->send(std::string("\x00\x01\xff\xfe binary\n", 12));
    f.peer->send("{\"x\":9e9999}\n");  // number overflow (found by the fuzzer)
    f.peer->send("\n   \r\n");         // blank lines: ignored
    f.peer->send("{\"id\":\"after\"}\n");
    const auto replies = f.peer->lines(9);
    BOOST_TEST(f.code_of(replies[0]) == "invalid_json");
    BOOST_TEST(f.code_of(replies[1]) == "not_an_object");
    BOOST_TEST(replies[1]["error"]["message"] == "request must be a JSON object, got an array");
    BOOST_TEST(f.code_of(replies[2]) == "not_an_object");
    BOOST_TEST(f.code_of(replies[3]) == "invalid_utf8");
    BOOST_TEST(replies[3]["error"]["message"] == "request line is not valid UTF-8 (byte offset 9)");
    BOOST_TEST(f.code_of(replies[4]) == "invalid_utf8");
    BOOST_TEST(f.code_of(replies[5]) == "too_deep");
    BOOST_TEST(f.code_of(replies[6]) == "invalid_utf8");
    BOOST_TEST(f.code_of(replies[7]) == "invalid_json");
    BOOST_TEST(replies[7]["error"]["message"] == "request line is not valid JSON: number overflow parsing '9e9999'");
    BOOST_TEST(replies[8]["id"] == "after");
    BOOST_TEST(f.close_reason.empty());
}

BOOST_AUTO_TEST_CASE(over_long_line_is_refused_once_and_the_rest_discarded) {
    JsonlLimits limits;
    limits.max_line = 1000;
    EchoFixture f(limits);
    // 5000 bytes in several writes, then a good request in the same write as the tail.
    std::string huge = "{\"text\":\"" + std::string(5000, 'x');
    f.peer->send(huge.substr(0, 700));
    f.peer->send(huge.substr(700));
    f.peer->send("\"}\n{\"id\":2}\n");
    const auto replies = f.peer->lines(2);
    BOOST_TEST(f.code_of(replies[0]) == "line_too_long");
    BOOST_TEST(replies[0]["error"]["message"] ==
               "request line is longer than 1000 bytes; discarded up to the next newline");
    BOOST_TEST(replies[1]["id"] == 2);
    BOOST_TEST(f.requests.size() == 1u);
}

BOOST_AUTO_TEST_CASE(default_limit_refuses_three_megabytes) {
    EchoFixture f;
    f.peer->send(std::string(3 << 20, 'a') + "\n{\"id\":3}\n");
    const auto replies = f.peer->lines(2);
    BOOST_TEST(f.code_of(replies[0]) == "line_too_long");
    BOOST_TEST(replies[1]["id"] == 3);
}

BOOST_AUTO_TEST_CASE(line_just_under_the_limit_is_accepted) {
    JsonlLimits limits;
    limits.max_line = 64;
    EchoFixture f(limits);
    std::string line = "{\"id\":1,\"t\":\"";
    line += std::string(64 - line.size() - 2, 'y') + "\"}";
    BOOST_REQUIRE(line.size() == 64u);
    f.peer->send(line + "\r\n");
    BOOST_TEST(f.peer->line()["ok"] == true);
}

BOOST_AUTO_TEST_CASE(reading_pauses_while_requests_are_unanswered) {
    JsonlLimits limits;
    limits.max_in_flight = 2;
    EchoFixture f(limits);
    f.answer = false;
    std::string many;
    for (int i = 0; i < 10; ++i) many += "{\"id\":" + std::to_string(i) + "}\n";
    f.peer->send(many);
    while (f.loop.run_once(Millis(100))) {
    }
    BOOST_TEST(f.requests.size() == 2u);  // the rest waits in the socket
    BOOST_TEST(f.conn->in_flight() == 2u);
    f.answer = true;
    f.conn->reply({{"id", 0}}, true);
    f.conn->reply({{"id", 1}}, true);
    const auto replies = f.peer->lines(10);
    BOOST_TEST(f.requests.size() == 10u);
    BOOST_TEST(replies.back()["id"] == 9);
}

BOOST_AUTO_TEST_CASE(last_line_without_newline_is_handled_at_eof_then_closed) {
    EchoFixture f;
    f.peer->send("{\"id\":\"last\"}");
    shutdown(f.peer->fd(), SHUT_WR);
    BOOST_TEST(f.peer->line()["id"] == "last");
    while (f.close_reason.empty() && f.loop.run_once(Millis(2000))) {
    }
    BOOST_TEST(f.close_reason == "peer closed the connection");
    BOOST_TEST(f.conn->closed());
}

BOOST_AUTO_TEST_CASE(handler_exception_becomes_internal_error) {
    EventLoop loop;
    auto [a, b] = test::make_socketpair();
    auto conn = JsonlConnection::create(loop, std::move(a), {},
                                        [](const std::shared_ptr<JsonlConnection>&, Json) { throw Error("boom"); }, {});
    Peer peer(loop, std::move(b));
    peer.send("{\"id\":5}\n");
    const Json reply = peer.line();
    BOOST_TEST(reply["id"] == 5);
    BOOST_TEST(reply["error"]["code"] == "internal");
    BOOST_TEST(reply["error"]["message"] == "handling request: boom");
    BOOST_TEST(conn->in_flight() == 0u);
}

BOOST_AUTO_TEST_CASE(peer_credentials_are_known) {
    EchoFixture f;
    BOOST_TEST(f.conn->peer().uid == getuid());
    BOOST_TEST(f.conn->peer().pid == getpid());
}

BOOST_AUTO_TEST_CASE(utf8_validator_edges) {
    BOOST_TEST(find_invalid_utf8("plain ascii") == std::string_view::npos);
    BOOST_TEST(find_invalid_utf8("\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80") == std::string_view::npos);  // é 中 😀
    BOOST_TEST(find_invalid_utf8("\xC0\xAF") == 0u);                                                  // overlong '/'
    BOOST_TEST(find_invalid_utf8("ab\xE0\x80\xAF") == 2u);                                            // overlong 3-byte
    BOOST_TEST(find_invalid_utf8("\xF4\x90\x80\x80") == 0u);                                          // > U+10FFFF
    BOOST_TEST(find_invalid_utf8("x\xE4\xB8") == 1u);                                                 // truncated
}

// --- Unix socket server ---------------------------------------------------

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/deskbox-control-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("mkdtemp");
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

JsonlConnection::RequestHandler echo_handler() {
    return [](const std::shared_ptr<JsonlConnection>& c, Json request) {
        c->reply({{"id", request.value("id", Json())}, {"ok", true}});
    };
}

BOOST_AUTO_TEST_CASE(server_binds_with_mode_and_serves_clients) {
    TempDir dir;
    const std::string path = (dir.path / "agent.sock").string();
    EventLoop loop;
    std::string closed_reason;
    JsonlServer server(loop, path, 0660, {}, echo_handler(), {},
                       [&](const JsonlConnection&, const std::string& reason) { closed_reason = reason; });
    struct stat st {};
    BOOST_REQUIRE(lstat(path.c_str(), &st) == 0);
    BOOST_TEST(S_ISSOCK(st.st_mode));
    BOOST_TEST((st.st_mode & 07777) == 0660u);

    UniqueFd client = connect_unix(path);
    Peer peer(loop, std::move(client));
    peer.send("{\"id\":1}\n");
    BOOST_TEST(peer.line()["ok"] == true);
    BOOST_TEST(server.connection_count() == 1u);
    peer.reset();
    while (server.connection_count() > 0 && loop.run_once(Millis(2000))) {
    }
    BOOST_TEST(server.connection_count() == 0u);
    BOOST_TEST(!closed_reason.empty());
}

BOOST_AUTO_TEST_CASE(stale_socket_is_replaced_but_live_socket_and_files_are_not) {
    TempDir dir;
    const std::string path = (dir.path / "agent.sock").string();
    EventLoop loop;
    {
        // A socket file whose listener is gone: stale.
        UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, path.c_str());
        BOOST_REQUIRE(bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    {
        JsonlServer server(loop, path, 0600, {}, echo_handler());
        BOOST_CHECK_EXCEPTION(JsonlServer(loop, path, 0600, {}, echo_handler()), Error, [&](const Error& e) {
            return std::string(e.what()) == "socket " + path + " is in use by a running process";
        });
    }
    BOOST_TEST(!std::filesystem::exists(path));  // removed with the server
    std::ofstream(path) << "not a socket";
    BOOST_CHECK_EXCEPTION(JsonlServer(loop, path, 0600, {}, echo_handler()), Error, [&](const Error& e) {
        return std::string(e.what()) == "socket path " + path + " exists and is not a socket; not replacing it";
    });
}

BOOST_AUTO_TEST_CASE(admission_refusal_is_explained_before_close) {
    TempDir dir;
    const std::string path = (dir.path / "review.sock").string();
    EventLoop loop;
    JsonlServer server(loop, path, 0600, {}, echo_handler(),
                       [](const PeerCredentials& p) { return "uid " + std::to_string(p.uid) + " may not connect"; });
    Peer peer(loop, connect_unix(path));
    const Json reply = peer.line();
    BOOST_TEST(reply["error"]["code"] == "forbidden");
    BOOST_TEST(reply["error"]["message"] == "uid " + std::to_string(getuid()) + " may not connect");
    BOOST_TEST(server.connection_count() == 0u);
}

}  // namespace
}  // namespace deskbox
