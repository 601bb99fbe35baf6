// The Streamable HTTP transport on a real TCP socket with a fake backend and
// a fixed token: what is refused (401, 403, 404, 405, 413, 400) never reaches
// the backend; sessions belong to the agent that made them.
#include "supervisor/mcp/http_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <thread>

#include "tests/unit/mcp/fake_backend.h"

namespace deskbox::mcp {
namespace {

struct HttpFixture {
    test::FakeBackend backend;
    McpServer mcp{backend};
    std::unique_ptr<HttpServer> http;
    std::thread runner;
    unsigned short port = 0;

    HttpFixture() {
        HttpOptions options;
        options.address = parse_listen_address("127.0.0.1:0", false);
        options.max_body = 4096;
        options.authenticate = [](std::string_view token) -> std::optional<std::string> {
            if (token == "good") return "ci-bot";
            if (token == "other") return "someone-else";
            return std::nullopt;
        };
        http = std::make_unique<HttpServer>(mcp, backend, options);
        port =
            static_cast<unsigned short>(std::stoi(http->bound_address().substr(http->bound_address().rfind(':') + 1)));
        runner = std::thread([this] { http->run(); });
    }
    ~HttpFixture() {
        http->stop();
        runner.join();
    }

    // One request on its own connection; returns the whole response.
    std::string send(const std::string& raw) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        BOOST_REQUIRE(::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(raw.size()));
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
        ::close(fd);
        return out;
    }
    std::string post(const std::string& body, const std::string& headers = "Authorization: Bearer good\r\n") {
        return send(
            "POST /mcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
            "Accept: application/json, text/event-stream\r\n" +
            headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    std::string session_of(const std::string& response) {
        const auto at = response.find("Mcp-Session-Id: ");
        BOOST_REQUIRE(at != std::string::npos);
        return response.substr(at + 16, 32);
    }
};

const std::string kInit = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})";
const std::string kClick =
    R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"click","arguments":{"x":1,"y":2}}})";

std::string status_line(const std::string& response) {
    return response.substr(0, response.find("\r\n"));
}

BOOST_AUTO_TEST_CASE(no_token_or_a_bad_one_is_401_with_a_challenge) {
    HttpFixture f;
    const std::string none = f.post(kInit, "");
    BOOST_TEST(status_line(none) == "HTTP/1.1 401 Unauthorized");
    BOOST_TEST(none.find("WWW-Authenticate: Bearer realm=\"deskbox-mcp\"\r\n") != std::string::npos);
    const std::string bad = f.post(kInit, "Authorization: Bearer nope\r\n");
    BOOST_TEST(status_line(bad) == "HTTP/1.1 401 Unauthorized");
    BOOST_TEST(bad.find("error=\"invalid_token\"") != std::string::npos);
    BOOST_TEST(status_line(f.post(kInit, "Authorization: Basic Z29vZA==\r\n")) == "HTTP/1.1 401 Unauthorized");
    BOOST_TEST(f.backend.calls.empty());
}

BOOST_AUTO_TEST_CASE(a_session_serves_its_agent_only) {
    HttpFixture f;
    const std::string init = f.post(kInit);
    BOOST_TEST(status_line(init) == "HTTP/1.1 200 OK");
    const std::string id = f.session_of(init);
    // tools/call with SSE accepted: an event stream holding the response.
    const std::string call = f.post(kClick, "Authorization: Bearer good\r\nMcp-Session-Id: " + id + "\r\n");
    BOOST_TEST(status_line(call) == "HTTP/1.1 200 OK");
    BOOST_TEST(call.find("Content-Type: text/event-stream") != std::string::npos);
    BOOST_TEST(call.find("event: message\ndata: {\"id\":2,\"jsonrpc\":\"2.0\",\"result\":") != std::string::npos);
    BOOST_REQUIRE_EQUAL(f.backend.calls.size(), 1u);
    BOOST_TEST(f.backend.calls[0].first == "ci-bot");
    // Another agent's token cannot use the session; nor can a missing or made-up id.
    BOOST_TEST(status_line(f.post(kClick, "Authorization: Bearer other\r\nMcp-Session-Id: " + id + "\r\n")) ==
               "HTTP/1.1 404 Not Found");
    BOOST_TEST(status_line(f.post(kClick)) == "HTTP/1.1 400 Bad Request");
    BOOST_TEST(status_line(f.post(kClick, "Authorization: Bearer good\r\nMcp-Session-Id: 00\r\n")) ==
               "HTTP/1.1 404 Not Found");
    BOOST_TEST(f.backend.calls.size() == 1u);
    // A notification is 202; DELETE ends the session.
    BOOST_TEST(status_line(f.post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                                  "Authorization: Bearer good\r\nMcp-Session-Id: " + id + "\r\n")) ==
               "HTTP/1.1 202 Accepted");
    BOOST_TEST(
        status_line(f.send("DELETE /mcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer good\r\n"
                           "Mcp-Session-Id: " +
                           id + "\r\n\r\n")) == "HTTP/1.1 200 OK");
    BOOST_TEST(status_line(f.post(kClick, "Authorization: Bearer good\r\nMcp-Session-Id: " + id + "\r\n")) ==
               "HTTP/1.1 404 Not Found");
}

BOOST_AUTO_TEST_CASE(origins_sizes_methods_and_versions_are_checked) {
    HttpFixture f;
    BOOST_TEST(status_line(f.post(kInit, "Authorization: Bearer good\r\nOrigin: http://evil.example\r\n")) ==
               "HTTP/1.1 403 Forbidden");
    BOOST_TEST(status_line(f.post(kInit, "Authorization: Bearer good\r\nOrigin: http://localhost:6274\r\n")) ==
               "HTTP/1.1 200 OK");
    BOOST_TEST(status_line(f.post(std::string(5000, ' ') + kInit)) == "HTTP/1.1 413 Payload Too Large");
    BOOST_TEST(status_line(f.post("{\"jsonrpc\":")).rfind("HTTP/1.1 400", 0) == 0);
    BOOST_TEST(status_line(f.post(kInit, "Authorization: Bearer good\r\nMCP-Protocol-Version: 1999-01-01\r\n")) ==
               "HTTP/1.1 400 Bad Request");
    BOOST_TEST(status_line(
                   f.send("GET /mcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer good\r\n\r\n")) ==
               "HTTP/1.1 405 Method Not Allowed");
    BOOST_TEST(
        status_line(f.send("POST /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer good\r\n"
                           "Content-Length: 0\r\n\r\n")) == "HTTP/1.1 404 Not Found");
    BOOST_TEST(status_line(f.send("garbage\r\n\r\n")) == "HTTP/1.1 400 Bad Request");
    BOOST_TEST(f.backend.calls.empty());
}

}  // namespace
}  // namespace deskbox::mcp
