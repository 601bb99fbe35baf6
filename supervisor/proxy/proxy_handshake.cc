// The first part of every proxy connection: reading the client's request,
// deciding, resolving, checking addresses, connecting, and (port 443) the TLS
// server name. Ends in Phase::Relay or in a refusal.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/proxy/address_class.h"
#include "supervisor/proxy/proxy_engine.h"
#include "supervisor/proxy/socks5.h"
#include "supervisor/proxy/tls_client_hello.h"

namespace deskbox::proxy {
namespace {

std::span<const std::uint8_t> bytes_of(const ByteBuffer& b) {
    return {b.data(), b.size()};
}

const char* status_text(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 502:
            return "Bad Gateway";
        default:
            return "Error";
    }
}

sockaddr_storage make_address(const HostName& ip, std::uint16_t port) {
    sockaddr_storage ss{};
    if (ip.kind == HostName::Kind::Ipv4) {
        auto& s = reinterpret_cast<sockaddr_in&>(ss);
        s.sin_family = AF_INET;
        s.sin_addr = ip.v4;
        s.sin_port = htons(port);
    } else {
        auto& s = reinterpret_cast<sockaddr_in6&>(ss);
        s.sin6_family = AF_INET6;
        s.sin6_addr = ip.v6;
        s.sin6_port = htons(port);
    }
    return ss;
}

std::string host_header(const HostName& host, std::uint16_t port) {
    std::string h = host.kind == HostName::Kind::Ipv6 ? "[" + host.text + "]" : host.text;
    if (port != 80) h += ":" + std::to_string(port);
    return h;
}

}  // namespace

void ProxyEngine::read_request(Connection& c) {
    if (!c.down.empty()) {  // the rest of a SOCKS5 method reply
        const ssize_t n = send(c.client.get(), c.down.data(), c.down.size(), MSG_NOSIGNAL);
        if (n > 0) c.down.consume(static_cast<std::size_t>(n));
    }
    // The head is bounded: never buffer more than a request head may be.
    while (true) {
        const std::size_t room = kMaxRequestHead + 1 > c.up.size() ? kMaxRequestHead + 1 - c.up.size() : 0;
        if (room == 0) break;
        const ssize_t n = recv(c.client.get(), c.up.prepare(room), room, 0);
        if (n > 0) {
            c.up.commit(static_cast<std::size_t>(n));
            c.last_activity_ms = monotonic_ms();
            continue;
        }
        if (n == 0) {
            c.client_eof = true;
            break;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        c.decision = "error";
        c.error = "client: " + errno_text(errno);
        return finish(c.id);
    }
    if (c.up.empty()) {
        if (c.client_eof) {
            c.decision = "deny";
            c.rule = "client closed before a request";
            finish(c.id);
        }
        return;
    }
    if (c.protocol == Protocol::Unknown)
        c.protocol = c.up.data()[0] == socks5::kVersion ? Protocol::Socks5 : Protocol::HttpConnect;
    if (c.protocol == Protocol::Socks5) {
        if (!read_socks(c) && c.client_eof && c.phase == Phase::ReadRequest) {
            c.decision = "deny";
            c.rule = "incomplete SOCKS5 request";
            finish(c.id);
        }
        return;
    }
    RequestParse parsed = parse_proxy_request(c.up.view());
    if (parsed.status == RequestParse::Status::NeedMore) {
        if (c.client_eof) refuse(c, 400, "deny", "incomplete request");
        return;
    }
    if (parsed.status == RequestParse::Status::Bad) return refuse(c, 400, "deny", "bad request: " + parsed.error);
    c.up.consume(parsed.head_length);  // what follows the head belongs to the upstream
    c.request = std::move(parsed.request);
    c.protocol = c.request.kind == ProxyRequest::Kind::Connect ? Protocol::HttpConnect : Protocol::HttpForward;
    decide(c, c.request.host, c.request.port);
}

bool ProxyEngine::read_socks(Connection& c) {
    if (!c.socks_greeted) {
        const auto g = socks5::parse_greeting(bytes_of(c.up));
        if (g.status == socks5::Status::NeedMore) return false;
        if (g.status == socks5::Status::Bad || !g.no_auth) {
            c.down.append(std::string{5, static_cast<char>(0xff)});
            c.decision = "deny";
            c.rule =
                g.status == socks5::Status::Bad ? "bad SOCKS5 greeting" : "SOCKS5 without the no-authentication method";
            c.phase = Phase::Closing;
            audit_record(c);
            drain_closing(c);
            return true;
        }
        c.up.consume(g.length);
        c.down.append(std::string{5, 0});
        c.socks_greeted = true;
        // The client waits for this answer before it sends its request.
        const ssize_t n = send(c.client.get(), c.down.data(), c.down.size(), MSG_NOSIGNAL);
        if (n > 0) c.down.consume(static_cast<std::size_t>(n));
    }
    const auto r = socks5::parse_request(bytes_of(c.up));
    if (r.status == socks5::Status::NeedMore) return false;
    if (r.status == socks5::Status::Bad) {
        c.down.append(socks5::reply(r.refusal));
        c.decision = "deny";
        c.rule = "bad request: " + r.error;
        c.phase = Phase::Closing;
        audit_record(c);
        drain_closing(c);
        return true;
    }
    c.up.consume(r.length);
    decide(c, r.host, r.port);
    return true;
}

void ProxyEngine::refuse(Connection& c, int http_status, const std::string& decision, const std::string& rule,
                         const std::string& error, const std::string& client_reason) {
    c.decision = decision;
    c.rule = rule;
    c.error = error;
    c.up.clear();
    c.down.clear();
    if (c.protocol == Protocol::Socks5) {
        socks5::Reply code = socks5::Reply::NotAllowed;
        if (http_status == 502) code = socks5::Reply::HostUnreachable;
        if (http_status == 400) code = socks5::Reply::GeneralFailure;
        c.down.append(socks5::reply(code));
    } else {
        const std::string reason = client_reason.empty() ? rule : client_reason;
        const std::string body = "deskbox egress proxy: " + reason + (error.empty() ? "" : " (" + error + ")") + "\n";
        c.down.append("HTTP/1.1 " + std::to_string(http_status) + " " + status_text(http_status) +
                      "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n\r\n" + body);
    }
    if (c.upstream) {
        c.upstream.reset();  // closing removes it from epoll
        c.upstream_registered = false;
    }
    c.phase = Phase::Closing;
    audit_record(c);
    drain_closing(c);
}

void ProxyEngine::abort_tunnel(Connection& c, const std::string& decision, const std::string& rule,
                               const std::string& error) {
    c.decision = decision;
    c.rule = rule;
    c.error = error;
    finish(c.id);
}

void ProxyEngine::decide(Connection& c, const std::string& raw_host, std::uint16_t port) {
    c.audit_host = printable(raw_host);
    c.port = port;
    std::string why;
    auto host = normalize_host(raw_host, &why);
    if (!host) return refuse(c, 403, "deny", "bad host name", why);
    c.host = *host;
    c.audit_host = host->text;
    const HostDecision d = rules_.check(c.host, port);
    c.rule = d.rule;
    if (!d.allowed) return refuse(c, 403, "deny", d.rule);
    c.decision = "allow";
    if (const auto target = rules_.resolve_entry(c.host)) {
        std::string ignored;
        const auto ip = normalize_host(target->host, &ignored);
        if (!ip || !ip->is_ip()) return refuse(c, 502, "error", d.rule, "resolve entry is not an IP address");
        return check_addresses_and_connect(c, {make_address(*ip, target->port ? target->port : port)}, true);
    }
    if (c.host.is_ip()) return check_addresses_and_connect(c, {make_address(c.host, port)}, false);
    c.phase = Phase::Resolving;
    resolver_->submit(c.id, c.host.text, port);
}

void ProxyEngine::on_resolved() {
    for (auto& res : resolver_->take_results()) {
        const auto it = conns_.find(res.id);
        if (it == conns_.end() || it->second->phase != Phase::Resolving) continue;
        Connection& c = *it->second;
        try {
            if (!res.error.empty())
                refuse(c, 502, "error", c.rule, "resolving " + c.host.text + ": " + res.error);
            else
                check_addresses_and_connect(c, std::move(res.addresses), false);
        } catch (const std::exception& e) {
            fail_connection(res.id, e);
        }
        if (conns_.count(res.id)) update_interest(*conns_.at(res.id));
    }
}

void ProxyEngine::check_addresses_and_connect(Connection& c, std::vector<sockaddr_storage> addresses,
                                              bool explicit_target) {
    if (!explicit_target) {
        // One non-public address is enough to refuse: a name that mixes public
        // and internal addresses is exactly what a rebinding attack looks like.
        for (const auto& a : addresses) {
            const AddressClass cls = classify(a);
            if (cls != AddressClass::Public)
                // The client is not told which internal address the name has.
                return refuse(c, 403, "deny",
                              "address " + format_address(a) + " is " + address_class_name(cls) +
                                  " (only network.resolve may name such hosts)",
                              {}, std::string("the destination address is ") + address_class_name(cls));
        }
    }
    c.candidates = std::move(addresses);
    c.next_candidate = 0;
    start_connect(c);
}

void ProxyEngine::start_connect(Connection& c) {
    while (c.next_candidate < c.candidates.size()) {
        const sockaddr_storage& a = c.candidates[c.next_candidate++];
        UniqueFd s(socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!s) throw_errno("egress proxy: creating an upstream socket");
        const int one = 1;
        setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const socklen_t len = a.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
        const int rc = connect(s.get(), reinterpret_cast<const sockaddr*>(&a), len);
        if (rc != 0 && errno != EINPROGRESS) {
            c.error = "connecting to " + format_address(a) + ": " + errno_text(errno);
            continue;
        }
        c.address = format_address(a);
        c.upstream = std::move(s);
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = c.id << 1 | 1;
        if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.upstream.get(), &ev) != 0)
            throw_errno("egress proxy: adding an upstream to epoll");
        c.upstream_registered = true;
        c.upstream_events = EPOLLOUT;
        c.phase = Phase::Connecting;
        return;  // on_connect_ready() follows, also when connect() succeeded at once
    }
    refuse(c, 502, "error", c.rule, c.error.empty() ? "no address to connect to" : c.error);
}

void ProxyEngine::on_connect_ready(Connection& c) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c.upstream.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
        c.error = "connecting to " + c.address + ": " + errno_text(err);
        c.upstream.reset();
        c.upstream_registered = false;
        c.address.clear();
        return start_connect(c);
    }
    c.error.clear();
    on_connected(c);
}

void ProxyEngine::on_connected(Connection& c) {
    c.last_activity_ms = monotonic_ms();
    const bool tls_port = c.port == 443;
    switch (c.protocol) {
        case Protocol::HttpConnect:
            c.down.append("HTTP/1.1 200 Connection established\r\n\r\n");
            break;
        case Protocol::Socks5:
            c.down.append(socks5::reply(socks5::Reply::Succeeded));
            break;
        case Protocol::HttpForward: {
            // The rewritten head goes in front of whatever body bytes already arrived.
            const std::string body(c.up.view());
            c.up.clear();
            c.up.append(build_origin_request(c.request, host_header(c.host, c.port)));
            c.up.append(body);
            c.request = ProxyRequest{};
            break;
        }
        case Protocol::Unknown:
            break;
    }
    if (tls_port && c.protocol != Protocol::HttpForward) {
        c.phase = Phase::SniCheck;
        return check_sni(c);
    }
    c.phase = Phase::Relay;
    ++counters_.allowed;
    relay(c);
}

void ProxyEngine::check_sni(Connection& c) {
    // Send the "connected" reply, then collect the client's first bytes
    // without forwarding them until the ClientHello has been read.
    while (!c.down.empty()) {
        const ssize_t n = send(c.client.get(), c.down.data(), c.down.size(), MSG_NOSIGNAL);
        if (n > 0)
            c.down.consume(static_cast<std::size_t>(n));
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            break;
        else
            return abort_tunnel(c, "error", c.rule, "client: " + errno_text(errno));
    }
    while (c.up.space() > 0) {
        const ssize_t n = recv(c.client.get(), c.up.prepare(c.up.space()), c.up.space(), 0);
        if (n > 0) {
            c.up.commit(static_cast<std::size_t>(n));
            c.last_activity_ms = monotonic_ms();
            continue;
        }
        if (n == 0)
            c.client_eof = true;
        else if (!(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return abort_tunnel(c, "error", c.rule, "client: " + errno_text(errno));
        break;
    }
    const SniResult sni = parse_client_hello_sni(bytes_of(c.up));
    using S = SniResult::Status;
    switch (sni.status) {
        case S::NeedMore:
            if (c.client_eof) return abort_tunnel(c, "deny", "incomplete TLS ClientHello on port 443", {});
            if (c.up.space() == 0) return abort_tunnel(c, "deny", "TLS ClientHello too large", {});
            return;
        case S::NotTls:
            return abort_tunnel(c, "deny", "not TLS on port 443", {});
        case S::Malformed:
            return abort_tunnel(c, "deny", "malformed TLS ClientHello", sni.error);
        case S::NoSni:
            if (!c.host.is_ip()) return abort_tunnel(c, "deny", "TLS ClientHello without a server name", {});
            break;
        case S::Found: {
            std::string why;
            const auto name = normalize_host(sni.server_name, &why);
            if (!name || c.host.is_ip() || name->text != c.host.text)
                return abort_tunnel(c, "deny",
                                    "TLS server name '" + printable(name ? name->text : sni.server_name) +
                                        "' differs from the requested host '" + c.host.text + "'",
                                    {});
            break;
        }
    }
    c.phase = Phase::Relay;
    ++counters_.allowed;
    relay(c);
}

}  // namespace deskbox::proxy
