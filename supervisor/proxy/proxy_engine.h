// The egress proxy's event loop: one thread, one epoll instance, non-blocking
// sockets. Accepts clients on the listening socket (inside the sandbox's
// network namespace), reads their request (HTTP CONNECT, plain HTTP with an
// absolute URI, or SOCKS5), decides with HostRules, resolves through
// Resolver, checks the addresses, connects from the supervisor's namespace,
// checks the TLS server name for port 443, then relays bytes both ways.
// Every connection ends in exactly one audit record.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "supervisor/base/unique_fd.h"
#include "supervisor/manifest/manifest.h"
#include "supervisor/proxy/host_rules.h"
#include "supervisor/proxy/proxy_connection.h"
#include "supervisor/proxy/resolver.h"

namespace deskbox {

struct ProxyStats {
    std::uint64_t accepted = 0;    // client connections accepted
    std::uint64_t allowed = 0;     // connections that reached their upstream
    std::uint64_t refused = 0;     // refused by a rule, an address check, SNI or a limit
    std::uint64_t failed = 0;      // allowed but failed (resolution, connect)
    std::uint64_t open = 0;        // client connections open now
    std::uint64_t bytes_up = 0;    // bytes delivered to upstreams
    std::uint64_t bytes_down = 0;  // bytes delivered to clients
};

namespace proxy {

class ProxyEngine {
public:
    using AuditSink = std::function<void(const nlohmann::json& record)>;

    ProxyEngine(const NetworkSpec& spec, UniqueFd listening_socket, AuditSink audit);
    ~ProxyEngine();

    // Runs the loop on the calling thread until request_stop(); closes every
    // connection (each gets its audit record) before returning.
    void run();
    void request_stop();  // thread-safe
    ProxyStats stats() const;

private:
    // proxy_engine.cc: loop, accept, relay, limits, ending connections
    void accept_clients();
    void handle_event(std::uint64_t tag, std::uint32_t events);
    void pump(Connection& c);
    void relay(Connection& c);
    void drain_closing(Connection& c);
    void update_interest(Connection& c);
    void sweep_idle();
    void finish(std::uint64_t id);
    void fail_connection(std::uint64_t id, const std::exception& e);
    void audit_record(Connection& c);
    void refuse_early(UniqueFd client, const std::string& rule);
    std::uint64_t budget_left() const;
    void charge(std::uint64_t n);

    // proxy_handshake.cc: request, decision, resolution, connect, SNI
    void read_request(Connection& c);
    bool read_socks(Connection& c);
    void decide(Connection& c, const std::string& raw_host, std::uint16_t port);
    void on_resolved();
    void check_addresses_and_connect(Connection& c, std::vector<sockaddr_storage> addresses, bool explicit_target);
    void start_connect(Connection& c);
    void on_connect_ready(Connection& c);
    void on_connected(Connection& c);
    void check_sni(Connection& c);
    // Refusal before the tunnel is up: a 403/400/502 (or SOCKS reply), then close.
    // `client_reason` replaces the rule in what the client is told (default: the rule itself).
    void refuse(Connection& c, int http_status, const std::string& decision, const std::string& rule,
                const std::string& error = {}, const std::string& client_reason = {});
    // Refusal inside an established tunnel: nothing more can be said, just close.
    void abort_tunnel(Connection& c, const std::string& decision, const std::string& rule, const std::string& error);

    NetworkSpec spec_;
    HostRules rules_;
    UniqueFd listen_;
    AuditSink audit_;
    UniqueFd epoll_;
    UniqueFd stop_fd_;
    UniqueFd resolver_fd_;
    UniqueFd spare_fd_;  // released to accept-and-refuse when out of descriptors
    std::unique_ptr<Resolver> resolver_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> conns_;
    std::uint64_t next_id_ = 1;
    std::atomic<bool> stop_{false};
    std::uint64_t session_bytes_ = 0;  // read from either side, counted against max_bytes

    struct Counters {
        std::atomic<std::uint64_t> accepted{0}, allowed{0}, refused{0}, failed{0}, open{0}, bytes_up{0}, bytes_down{0};
    } counters_;
};

}  // namespace proxy
}  // namespace deskbox
