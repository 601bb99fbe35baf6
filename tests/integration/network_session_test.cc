// The egress proxy inside a real session: an app that uses curl reaches an
// allowed test domain (mapped to a loopback test server through `resolve:`)
// only through the session's proxy; a domain outside the allowlist and a
// direct connection that bypasses the proxy both fail; every decision is in
// the audit log.
#define BOOST_TEST_MODULE deskbox network session tests
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <thread>

#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

using namespace deskbox::test;

namespace {

// A one-thread HTTP server on 127.0.0.1 that answers every request with a marker.
class TestServer {
public:
    explicit TestServer(std::string body = "hello-from-test") : body_(std::move(body)) {
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
            const std::string reply =
                "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + std::to_string(body_.size()) +
                "\r\n\r\n" + body_;
            [[maybe_unused]] auto w = write(c, reply.data(), reply.size());
            close(c);
        }
    }
    std::string body_;
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
    // One command per line: the YAML literal block below keeps quotes as they are. Each
    // result is printed as one line in one write: the app's log is shared with the
    // session bus's messages, which may otherwise land between a body and its status.
    const std::string script =
        "r=$(curl -s -m 20 http://allowed.test:" + port +
        "/ok); echo \"$r CURL-ALLOWED=$?\"\n"
        "r=$(curl -s -m 20 -o /dev/null -w '%{http_code}' http://evil.test:" +
        port +
        "/); echo \"$r CURL-DENIED=$?\"\n"
        "r=$(curl -s -m 5 --noproxy '*' http://127.0.0.1:" +
        port +
        "/); echo \"$r CURL-DIRECT=$?\"\n"
        "r=$(curl -s -m 5 -o /dev/null -w '%{http_code}' http://169.254.169.254/); echo \"$r CURL-METADATA=$?\"\n";
    std::string block;
    for (std::size_t start = 0; start < script.size();) {
        const auto end = script.find('\n', start);
        block += "          " + script.substr(start, end - start) + "\n";
        start = end + 1;
    }
    const std::string name = "net-e2e";
    const auto manifest = dirs.manifest(name, "session: {name: " + name +
                                                  "}\n"
                                                  "network:\n"
                                                  "  mode: allowlist\n"
                                                  "  allow: [allowed.test, evil.test]\n"
                                                  "  deny: [evil.test]\n"
                                                  "  ports: [" +
                                                  port +
                                                  "]\n"
                                                  "  resolve: {allowed.test: '127.0.0.1:" +
                                                  port +
                                                  "'}\n"
                                                  "apps:\n"
                                                  "  - name: fetch\n"
                                                  "    exec:\n"
                                                  "      - sh\n"
                                                  "      - -c\n"
                                                  "      - |\n" +
                                                  block + "policy: " + policy.string() +
                                                  "\n"
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

// The seeds' dashboard case in a real browser: Chromium inside the session
// loads the CI page only through the proxy, its web content is in the
// accessibility tree, and a click by name on one of two "Failed tests"
// buttons is refused with the count instead of being guessed.
BOOST_AUTO_TEST_CASE(chromium_in_a_session_grounds_and_refuses_ambiguous_targets) {
    if (!require_root()) return;
    TestServer server(
        "<html><head><title>Run RUN-78432</title></head><body><h1>Run RUN-78432</h1>"
        "<button>Failed tests</button><button>Failed tests</button></body></html>");
    TestDirs dirs;
    const std::string port = std::to_string(server.port());
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "default: deny\nadmission: {domains: [ci.test]}\nrules:\n"
                             "  - {name: observe, when: {action: [screenshot, tree]}, decision: allow}\n"
                             "  - {name: click by name, when: {action: [click_element]}, decision: allow}\n";
    const std::string name = "browser-e2e";
    const auto manifest = dirs.manifest(
        name,
        "session: {name: " + name +
            "}\n"
            "sandbox: {memory: 2G, pids: 1024}\n"
            "network: {mode: allowlist, allow: [ci.test], ports: [" +
            port + "], resolve: {ci.test: '127.0.0.1:" + port +
            "'}}\n"
            "apps:\n"
            "  - name: browser\n"
            "    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,\n"
            "           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile, 'http://ci.test:" +
            port +
            "/']\n"
            "    ready: {title: 'Run RUN-78432', timeout: 180s}\n"
            "policy: " +
            policy.string() +
            "\n"
            "review: {vnc: {enabled: false}}\n");
    SessionProcess session(dirs, manifest);
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    BOOST_TEST(server.requests() >= 1);  // the page came through the proxy

    const auto [code, tree] = run_deskbox(dirs, {"tree", "-s", name, "--interactive", "--format", "linearized"});
    BOOST_TEST(code == 0, tree);
    BOOST_TEST(tree.find("push-button\tFailed tests") != std::string::npos, tree);

    deskbox::AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const auto reply =
        agent.call({{"id", 1}, {"action", "click_element"}, {"role", "push button"}, {"name", "Failed tests"}});
    BOOST_TEST(!reply["ok"].get<bool>(), reply.dump());
    BOOST_TEST(reply.dump().find("expected one target, found 2") != std::string::npos, reply.dump());

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}
