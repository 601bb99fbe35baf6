// The egress proxy inside a real session: an app that uses curl reaches an
// allowed test domain (mapped to a loopback test server through `resolve:`)
// only through the session's proxy; a domain outside the allowlist and a
// direct connection that bypasses the proxy both fail; every decision is in
// the audit log.
#define BOOST_TEST_MODULE deskbox network session tests
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

// A one-thread HTTP server on 127.0.0.1 that answers every request with a marker.
class TestServer {
public:
    TestServer() {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        BOOST_REQUIRE(listen(fd_, 16) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~TestServer() {
        stop_ = true;
        shutdown(fd_, SHUT_RDWR);
        thread_.join();
        close(fd_);
    }
    int port() const { return port_; }
    int requests() const { return requests_; }

private:
    void serve() {
        while (!stop_) {
            const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            char buf[4096];
            [[maybe_unused]] auto n = read(c, buf, sizeof buf);
            ++requests_;
            const std::string reply = "HTTP/1.0 200 OK\r\nContent-Length: 15\r\n\r\nhello-from-test";
            [[maybe_unused]] auto w = write(c, reply.data(), reply.size());
            close(c);
        }
    }
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(only_allowed_domains_through_the_proxy) {
    if (!require_root()) return;
    TestServer server;
    TestDirs dirs;
    const std::string port = std::to_string(server.port());
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "default: deny\nadmission: {domains: [allowed.test, evil.test]}\n";
    // One command per line: the YAML literal block below keeps quotes as they are.
    const std::string script =
        "curl -s -m 20 http://allowed.test:" + port + "/ok; echo \" CURL-ALLOWED=$?\"\n"
        "curl -s -m 20 -o /dev/null -w '%{http_code}' http://evil.test:" + port + "/; echo \" CURL-DENIED=$?\"\n"
        "curl -s -m 5 --noproxy '*' http://127.0.0.1:" + port + "/; echo \" CURL-DIRECT=$?\"\n"
        "curl -s -m 5 -o /dev/null -w '%{http_code}' http://169.254.169.254/; echo \" CURL-METADATA=$?\"\n";
    std::string block;
    for (std::size_t start = 0; start < script.size();) {
        const auto end = script.find('\n', start);
        block += "          " + script.substr(start, end - start) + "\n";
        start = end + 1;
    }
    const std::string name = "net-e2e";
    const auto manifest = dirs.manifest(name,
        "session: {name: " + name + "}\n"
        "network:\n"
        "  mode: allowlist\n"
        "  allow: [allowed.test, evil.test]\n"
        "  deny: [evil.test]\n"
        "  ports: [" + port + "]\n"
        "  resolve: {allowed.test: '127.0.0.1:" + port + "'}\n"
        "apps:\n"
        "  - name: fetch\n"
        "    exec:\n"
        "      - sh\n"
        "      - -c\n"
        "      - |\n" + block +
        "policy: " + policy.string() + "\n"
        "review: {vnc: {enabled: false}}\n");
    SessionProcess session(dirs, manifest);
    BOOST_REQUIRE_MESSAGE(session.wait_for("CURL-METADATA=", 120'000), session.output());
    const std::string out = session.output();
    BOOST_TEST_MESSAGE(out);
    BOOST_TEST(out.find("hello-from-test CURL-ALLOWED=0") != std::string::npos, out);
    BOOST_TEST(out.find("200 CURL-DENIED") == std::string::npos, out);
    BOOST_TEST(out.find("CURL-DIRECT=0") == std::string::npos, out);  // no way around the proxy
    BOOST_TEST(out.find("200 CURL-METADATA") == std::string::npos, out);
    BOOST_TEST(server.requests() == 1);  // only the allowed request reached the server
    session.wait_exit(60'000);

    std::ifstream in(dirs.state() / name / "audit.jsonl");
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(log.find("\"allowed.test\"") != std::string::npos, log);
    BOOST_TEST(log.find("\"evil.test\"") != std::string::npos, log);
    BOOST_TEST(log.find("/ok") == std::string::npos);  // no paths in the audit
}
