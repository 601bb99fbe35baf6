#include "supervisor/proxy/proxy_engine.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"

namespace deskbox::proxy {
namespace {

constexpr std::uint64_t kTagListen = 1ull << 63;
constexpr std::uint64_t kTagStop = kTagListen | 1;
constexpr std::uint64_t kTagResolver = kTagListen | 2;
constexpr std::size_t kRelayBuffer = 128 * 1024;
constexpr std::size_t kMaxDiscard = 64 * 1024;  // what a refused client may still send before we close
constexpr int kResolverThreads = 2;

std::uint64_t tag(std::uint64_t id, bool upstream) {
    return id << 1 | (upstream ? 1 : 0);
}

void set_nodelay(int fd) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool would_block(int err) {
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

}  // namespace

ProxyEngine::ProxyEngine(const NetworkSpec& spec, UniqueFd listening_socket, AuditSink audit)
    : spec_(spec), rules_(spec), listen_(std::move(listening_socket)), audit_(std::move(audit)) {
    if (!listen_) throw Error("egress proxy: no listening socket");
    const int flags = fcntl(listen_.get(), F_GETFL);
    if (flags < 0 || fcntl(listen_.get(), F_SETFL, flags | O_NONBLOCK) != 0)
        throw_errno("egress proxy: making the listening socket non-blocking");
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) throw_errno("egress proxy: creating epoll instance");
    stop_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    resolver_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_fd_ || !resolver_fd_) throw_errno("egress proxy: creating eventfd");
    auto add = [&](int fd, std::uint64_t t) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = t;
        if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("egress proxy: adding fd to epoll");
    };
    add(listen_.get(), kTagListen);
    add(stop_fd_.get(), kTagStop);
    add(resolver_fd_.get(), kTagResolver);
    spare_fd_.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
    resolver_ = std::make_unique<Resolver>(resolver_fd_.get(), kResolverThreads);
}

ProxyEngine::~ProxyEngine() {
    // Resolver threads write to resolver_fd_: stop them before the fd closes.
    resolver_.reset();
}

void ProxyEngine::request_stop() {
    stop_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(stop_fd_.get(), &one, sizeof one);
}

ProxyStats ProxyEngine::stats() const {
    ProxyStats s;
    s.accepted = counters_.accepted;
    s.allowed = counters_.allowed;
    s.refused = counters_.refused;
    s.failed = counters_.failed;
    s.open = counters_.open;
    s.bytes_up = counters_.bytes_up;
    s.bytes_down = counters_.bytes_down;
    return s;
}

void ProxyEngine::run() {
    const auto idle = std::max<std::int64_t>(spec_.idle_timeout.count(), 1);
    // Idle connections are looked for a few times per timeout, at most once per 20 ms.
    const int sweep_ms = static_cast<int>(std::clamp<std::int64_t>(idle / 4, 20, 1000));
    std::int64_t next_sweep = monotonic_ms() + sweep_ms;
    std::vector<epoll_event> events(128);
    while (!stop_) {
        const std::int64_t wait = std::max<std::int64_t>(0, next_sweep - monotonic_ms());
        const int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), static_cast<int>(wait));
        if (n < 0 && errno != EINTR) throw_errno("egress proxy: waiting for events");
        for (int i = 0; i < n && !stop_; ++i) handle_event(events[i].data.u64, events[i].events);
        if (monotonic_ms() >= next_sweep) {
            sweep_idle();
            next_sweep = monotonic_ms() + sweep_ms;
        }
    }
    std::vector<std::uint64_t> ids;
    for (const auto& [id, c] : conns_) ids.push_back(id);
    for (auto id : ids) {
        Connection& c = *conns_.at(id);
        if (c.error.empty() && c.phase != Phase::Relay && !c.audited) {
            c.decision = c.decision.empty() ? "error" : c.decision;
            c.error = "proxy stopped";
        }
        finish(id);
    }
}

void ProxyEngine::handle_event(std::uint64_t t, std::uint32_t events) {
    if (t == kTagListen) return accept_clients();
    if (t == kTagStop) return;
    if (t == kTagResolver) {
        std::uint64_t count;
        while (read(resolver_fd_.get(), &count, sizeof count) > 0) {
        }
        return on_resolved();
    }
    const auto it = conns_.find(t >> 1);
    if (it == conns_.end()) return;  // ended earlier in this batch
    Connection& c = *it->second;
    const bool upstream_side = t & 1;
    try {
        if (upstream_side && c.phase == Phase::Connecting) {
            if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connect_ready(c);
        } else if (events & EPOLLERR) {
            // A socket error is reported until the socket closes: end here
            // rather than spin on it.
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(upstream_side ? c.upstream.get() : c.client.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (c.decision.empty()) c.decision = "error";
            if (c.error.empty()) c.error = std::string(upstream_side ? "upstream: " : "client: ") + errno_text(err);
            finish(c.id);
        } else if (upstream_side && c.phase == Phase::SniCheck) {
            // Nothing is asked of the upstream yet: this is a hang-up.
            abort_tunnel(c, "error", c.rule, "upstream closed before the TLS handshake");
        } else {
            pump(c);
        }
    } catch (const std::exception& e) {
        fail_connection(t >> 1, e);
        return;
    }
    if (conns_.count(t >> 1)) update_interest(*conns_.at(t >> 1));
}

void ProxyEngine::fail_connection(std::uint64_t id, const std::exception& e) {
    const auto it = conns_.find(id);
    // Gone already: the failure came from ending it (the audit sink); let the
    // proxy stop rather than go on without an audit trail.
    if (it == conns_.end()) throw;
    Connection& c = *it->second;
    c.decision = c.decision.empty() ? "error" : c.decision;
    c.error = e.what();
    finish(id);
}

void ProxyEngine::accept_clients() {
    while (true) {
        UniqueFd client(accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!client) {
            const int err = errno;
            if (err == EMFILE || err == ENFILE) {
                // Out of descriptors: the pending client would keep the listener
                // readable and the loop spinning. Use the spare descriptor to
                // take it and turn it away.
                spare_fd_.reset();
                UniqueFd turned_away(accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
                if (turned_away) refuse_early(std::move(turned_away), "limit: out of file descriptors");
                spare_fd_.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
                return;
            }
            if (err == EBADF || err == EINVAL || err == ENOTSOCK || err == EOPNOTSUPP || err == EFAULT)
                throw_errno("egress proxy: accepting a client", err);
            return;  // transient (EAGAIN, ECONNABORTED, ENOBUFS, EPERM...): wait for the next event
        }
        ++counters_.accepted;
        if (conns_.size() >= spec_.max_connections) {
            refuse_early(std::move(client), "limit: " + std::to_string(spec_.max_connections) + " open connections");
            continue;
        }
        if (budget_left() == 0) {
            refuse_early(std::move(client), "limit: session byte budget used up");
            continue;
        }
        set_nodelay(client.get());
        auto conn = std::make_unique<Connection>();
        conn->id = next_id_++;
        conn->client = std::move(client);
        conn->up = ByteBuffer(kRelayBuffer);
        conn->down = ByteBuffer(kRelayBuffer);
        conn->last_activity_ms = monotonic_ms();
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tag(conn->id, false);
        if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, conn->client.get(), &ev) != 0)
            throw_errno("egress proxy: adding a client to epoll");
        conn->client_events = EPOLLIN;
        ++counters_.open;
        conns_.emplace(conn->id, std::move(conn));
    }
}

void ProxyEngine::refuse_early(UniqueFd client, const std::string& rule) {
    static const std::string response =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    // Best effort on a fresh socket; the client sees a closed connection otherwise.
    [[maybe_unused]] auto n = send(client.get(), response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ++counters_.refused;
    audit_({{"event", "egress"},
            {"host", ""},
            {"port", 0},
            {"decision", "deny"},
            {"rule", rule},
            {"bytes_up", 0},
            {"bytes_down", 0}});
}

std::uint64_t ProxyEngine::budget_left() const {
    return session_bytes_ >= spec_.max_bytes ? 0 : spec_.max_bytes - session_bytes_;
}

void ProxyEngine::charge(std::uint64_t n) {
    session_bytes_ += n;
}

void ProxyEngine::pump(Connection& c) {
    switch (c.phase) {
        case Phase::ReadRequest:
            return read_request(c);
        case Phase::Resolving:
        case Phase::Connecting: {
            // Nothing is read from the client now, only its hang-up watched.
            // A half-close (request sent, then FIN) is legitimate: the answer
            // can still be delivered. A reset ends the attempt.
            char probe;
            const ssize_t n = recv(c.client.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n < 0 && !would_block(errno)) {
                c.decision = "error";
                c.error = "client: " + errno_text(errno);
                return finish(c.id);
            }
            if (n == 0) c.client_eof = true;
            c.client_hup_seen = true;  // level-triggered: stop watching until the tunnel is up
            return;
        }
        case Phase::SniCheck:
            return check_sni(c);
        case Phase::Relay:
            return relay(c);
        case Phase::Closing:
            return drain_closing(c);
    }
}

void ProxyEngine::relay(Connection& c) {
    bool progress = true;
    while (progress) {
        progress = false;
        // client -> upstream
        if (!c.client_eof && c.up.space() > 0) {
            const std::size_t want = std::min<std::uint64_t>(c.up.space(), budget_left());
            if (want == 0) return abort_tunnel(c, "allow", c.rule, "session byte budget used up");
            const ssize_t n = recv(c.client.get(), c.up.prepare(want), want, 0);
            if (n > 0) {
                c.up.commit(static_cast<std::size_t>(n));
                charge(static_cast<std::uint64_t>(n));
                progress = true;
            } else if (n == 0) {
                c.client_eof = true;
            } else if (!would_block(errno)) {
                return abort_tunnel(c, "allow", c.rule, "client: " + errno_text(errno));
            }
        }
        if (!c.up.empty()) {
            const ssize_t n = send(c.upstream.get(), c.up.data(), c.up.size(), MSG_NOSIGNAL);
            if (n > 0) {
                c.up.consume(static_cast<std::size_t>(n));
                c.bytes_up += static_cast<std::uint64_t>(n);
                counters_.bytes_up += static_cast<std::uint64_t>(n);
                progress = true;
            } else if (n < 0 && !would_block(errno)) {
                return abort_tunnel(c, "allow", c.rule, "upstream: " + errno_text(errno));
            }
        }
        // upstream -> client
        if (!c.upstream_eof && c.down.space() > 0) {
            const std::size_t want = std::min<std::uint64_t>(c.down.space(), budget_left());
            if (want == 0) return abort_tunnel(c, "allow", c.rule, "session byte budget used up");
            const ssize_t n = recv(c.upstream.get(), c.down.prepare(want), want, 0);
            if (n > 0) {
                c.down.commit(static_cast<std::size_t>(n));
                charge(static_cast<std::uint64_t>(n));
                progress = true;
            } else if (n == 0) {
                c.upstream_eof = true;
            } else if (!would_block(errno)) {
                return abort_tunnel(c, "allow", c.rule, "upstream: " + errno_text(errno));
            }
        }
        if (!c.down.empty()) {
            const ssize_t n = send(c.client.get(), c.down.data(), c.down.size(), MSG_NOSIGNAL);
            if (n > 0) {
                c.down.consume(static_cast<std::size_t>(n));
                c.bytes_down += static_cast<std::uint64_t>(n);
                counters_.bytes_down += static_cast<std::uint64_t>(n);
                progress = true;
            } else if (n < 0 && !would_block(errno)) {
                return abort_tunnel(c, "allow", c.rule, "client: " + errno_text(errno));
            }
        }
        if (progress) c.last_activity_ms = monotonic_ms();
    }
    // Pass half-closes on once everything before them is delivered.
    if (c.client_eof && c.up.empty() && !c.upstream_shut) {
        shutdown(c.upstream.get(), SHUT_WR);
        c.upstream_shut = true;
    }
    if (c.upstream_eof && c.down.empty() && !c.client_shut) {
        shutdown(c.client.get(), SHUT_WR);
        c.client_shut = true;
    }
    if (c.upstream_shut && c.client_shut) finish(c.id);
}

void ProxyEngine::drain_closing(Connection& c) {
    while (!c.down.empty()) {
        const ssize_t n = send(c.client.get(), c.down.data(), c.down.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.down.consume(static_cast<std::size_t>(n));
            c.last_activity_ms = monotonic_ms();
        } else if (n < 0 && would_block(errno)) {
            return;
        } else {
            return finish(c.id);
        }
    }
    if (!c.client_shut) {
        shutdown(c.client.get(), SHUT_WR);
        c.client_shut = true;
    }
    // Read what the client still sends until it closes, so that closing does
    // not reset the connection before the client has read our answer.
    char sink[4096];
    while (true) {
        const ssize_t n = recv(c.client.get(), sink, sizeof sink, 0);
        if (n > 0) {
            c.discarded += static_cast<std::size_t>(n);
            if (c.discarded > kMaxDiscard) return finish(c.id);
            continue;
        }
        if (n < 0 && would_block(errno)) return;
        return finish(c.id);
    }
}

void ProxyEngine::update_interest(Connection& c) {
    std::uint32_t client = 0, upstream = 0;
    switch (c.phase) {
        case Phase::ReadRequest:
            client = EPOLLIN;
            break;
        case Phase::Resolving:
        case Phase::Connecting:
            if (!c.client_hup_seen) client = EPOLLRDHUP;
            upstream = EPOLLOUT;
            break;
        case Phase::SniCheck:
            if (c.up.space()) client = EPOLLIN;
            break;
        case Phase::Relay:
            if (!c.client_eof && c.up.space()) client |= EPOLLIN;
            if (!c.upstream_eof && c.down.space()) upstream |= EPOLLIN;
            if (!c.up.empty()) upstream |= EPOLLOUT;
            break;
        case Phase::Closing:
            client = EPOLLIN;
            break;
    }
    if (!c.down.empty()) client |= EPOLLOUT;
    auto apply = [&](int fd, bool upstream_side, std::uint32_t wanted, std::uint32_t& current) {
        if (wanted == current) return;
        epoll_event ev{};
        ev.events = wanted;
        ev.data.u64 = tag(c.id, upstream_side);
        if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) throw_errno("egress proxy: updating epoll");
        current = wanted;
    };
    if (c.client_eof && c.client_shut) {
        // Done both ways: only the upstream still has bytes to take. Stop
        // watching the client so that its hang-up does not wake us in a loop.
        if (c.client_registered) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.client.get(), nullptr);
        c.client_registered = false;
    } else {
        apply(c.client.get(), false, client, c.client_events);
    }
    if (!c.upstream_registered) return;
    if (c.upstream_eof && c.upstream_shut) {
        // Done both ways; its remaining bytes are in `down`. Closing it stops
        // the hang-up it would otherwise report on every wait.
        c.upstream.reset();
        c.upstream_registered = false;
        return;
    }
    apply(c.upstream.get(), true, upstream, c.upstream_events);
}

void ProxyEngine::sweep_idle() {
    const std::int64_t now = monotonic_ms();
    std::vector<std::uint64_t> idle;
    for (const auto& [id, c] : conns_)
        if (now - c->last_activity_ms >= spec_.idle_timeout.count()) idle.push_back(id);
    for (auto id : idle) {
        Connection& c = *conns_.at(id);
        if (c.decision.empty()) c.decision = "deny";
        if (c.rule.empty())
            c.rule = "idle timeout before a complete request";
        else if (c.error.empty())
            c.error = "idle timeout";
        finish(id);
    }
}

void ProxyEngine::audit_record(Connection& c) {
    if (c.audited) return;
    c.audited = true;
    nlohmann::json r = {{"event", "egress"},
                        {"host", c.audit_host},
                        {"port", c.port},
                        {"decision", c.decision.empty() ? "error" : c.decision},
                        {"rule", c.rule},
                        {"bytes_up", c.bytes_up},
                        {"bytes_down", c.bytes_down}};
    const char* protocol = c.protocol == Protocol::HttpConnect   ? "connect"
                           : c.protocol == Protocol::HttpForward ? "http"
                           : c.protocol == Protocol::Socks5      ? "socks5"
                                                                 : "unknown";
    r["protocol"] = protocol;
    if (!c.address.empty()) r["address"] = c.address;
    if (!c.error.empty()) r["error"] = printable(c.error, 300);
    // Allowed connections are counted when their tunnel starts relaying.
    if (c.decision == "deny")
        ++counters_.refused;
    else if (c.decision != "allow")
        ++counters_.failed;
    audit_(r);
}

void ProxyEngine::finish(std::uint64_t id) {
    const auto it = conns_.find(id);
    if (it == conns_.end()) return;
    std::unique_ptr<Connection> c = std::move(it->second);
    conns_.erase(it);
    --counters_.open;  // before the record, so that a reader of both sees them agree
    audit_record(*c);
    // c's sockets close here, which also removes them from the epoll set.
}

}  // namespace deskbox::proxy
