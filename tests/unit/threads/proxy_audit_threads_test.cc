// The threaded parts of a session together, as a session runs them: the egress proxy's loop thread
// and its resolver threads serve several clients at once and write one record per connection into
// the session's AuditLog (parts/proxy.cc wires it so), while the main thread appends to the same
// log, as the gate does from the event loop, and reads the proxy's counters. tests/sanitizers/threads.sh
// runs this under ThreadSanitizer; in the ordinary unit suite it checks that the log stays one intact
// chain that holds every record, and that each client got its answer.
#define BOOST_TEST_MODULE deskbox threaded parts
#include <sys/socket.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/audit/audit_log.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/proxy/egress_proxy.h"
#include "tests/integration/proxy/proxy_support.h"

using namespace deskbox;
using namespace proxytest;

namespace {

constexpr int kClients = 6;
constexpr int kRequestsPerClient = 6;

// What one client asks for, in turn: an allowed host (answered by the origin), a denied one (refused
// by a rule) and a name the resolver threads look up (localhost: refused by the address check).
struct Request {
    std::string host;
    std::string expect;  // the status line's start
};

std::vector<Request> requests(std::uint16_t port) {
    const std::string p = std::to_string(port);
    // The proxy relays the origin's own HTTP/1.0 answer; refusals are the proxy's HTTP/1.1 403.
    return {{"allowed.test:" + p, "HTTP/1.0 200"},
            {"denied.test:" + p, "HTTP/1.1 403"},
            {"localhost:" + p, "HTTP/1.1 403"}};
}

// One client's requests, one connection each; returns what went wrong (empty: nothing). No Boost.Test
// macros here: they are not thread-safe.
std::string run_client(std::uint16_t proxy_port, const std::vector<Request>& kinds, int client) {
    std::string problems;
    for (int i = 0; i < kRequestsPerClient; ++i) {
        const Request& r = kinds[static_cast<std::size_t>(client + i) % kinds.size()];
        try {
            UniqueFd c = dial(proxy_port);
            send_all(c.get(),
                     "GET http://" + r.host + "/ HTTP/1.1\r\nHost: " + r.host + "\r\nConnection: close\r\n\r\n");
            const std::string answer = read_to_eof(c.get());
            if (answer.rfind(r.expect, 0) != 0)
                problems += r.host + " answered '" + answer.substr(0, answer.find('\r')) + "'; ";
        } catch (const std::exception& e) {
            problems += r.host + ": " + e.what() + "; ";
        }
    }
    return problems;
}

}  // namespace

BOOST_AUTO_TEST_CASE(proxy_threads_and_the_gate_share_one_audit_log) {
    TempDir dir;
    OriginServer origin("origin answer\n");
    NetworkSpec spec;
    spec.mode = NetworkMode::Allowlist;
    spec.allow = {"allowed.test", "denied.test", "localhost"};
    spec.deny = {"denied.test"};
    spec.ports = {origin.port()};
    spec.resolve = {{"allowed.test", ResolveTarget{"127.0.0.1", origin.port()}}};

    AuditLog log(dir.path() / "audit.jsonl");
    std::uint16_t proxy_port = 0;
    EgressProxy proxy(spec, listen_loopback(proxy_port),
                      [&log](const nlohmann::json& record) { log.append("network", record); });
    proxy.start();

    const auto kinds = requests(origin.port());
    std::vector<std::string> problems(kClients);
    std::atomic<int> clients_done{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c)
        clients.emplace_back([&, c] {
            problems[static_cast<std::size_t>(c)] = run_client(proxy_port, kinds, c);
            ++clients_done;
        });
    // Meanwhile the "gate" writes decisions and looks at the proxy, until every client is through.
    std::uint64_t decisions = 0;
    while (clients_done.load() < kClients) {
        log.append("decision", {{"action", "screenshot"}, {"decision", "allow"}, {"open", proxy.stats().open}});
        ++decisions;
        std::this_thread::yield();
    }
    for (auto& t : clients) t.join();
    proxy.stop();

    for (std::size_t c = 0; c < problems.size(); ++c)
        BOOST_TEST(problems[c].empty(), "client " << c << ": " << problems[c]);
    const ProxyStats stats = proxy.stats();
    BOOST_TEST(stats.accepted == std::uint64_t{kClients * kRequestsPerClient});
    BOOST_TEST(stats.open == 0u);

    const AuditVerifyReport report = verify_audit_file(log.path());
    BOOST_TEST(report.ok, report.problem);
    std::uint64_t network = 0, decided = 0;
    for (const AuditLine& line : parse_audit_lines(read_audit_file(log.path()))) {
        BOOST_TEST_REQUIRE(line.parsed);
        const std::string type = line.record.value("type", "");
        if (type == "network") ++network;
        if (type == "decision") ++decided;
    }
    BOOST_TEST(network == std::uint64_t{kClients * kRequestsPerClient});  // one record per connection
    BOOST_TEST(decided == decisions);
    BOOST_TEST(report.records == log.last_seq());
}
