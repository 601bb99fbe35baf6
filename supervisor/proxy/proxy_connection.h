// One client connection of the egress proxy and its upstream, as the proxy's
// I/O thread sees it. Plain data; ProxyEngine drives it through its phases:
//   ReadRequest -> (Resolving) -> Connecting -> (SniCheck) -> Relay
// with Closing (flush a refusal, then close) reachable from the first phases.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/host_name.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/proxy/proxy_request.h"

namespace deskbox::proxy {

// A byte queue with a fixed working size for relaying (it grows only when the
// handshake puts a rewritten request head in front).
class ByteBuffer {
public:
    explicit ByteBuffer(std::size_t capacity = 0) : capacity_(capacity) {}
    std::size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    std::size_t space() const { return end_ - begin_ >= capacity_ ? 0 : capacity_ - (end_ - begin_); }
    const std::uint8_t* data() const { return storage_.data() + begin_; }
    std::string_view view() const { return {reinterpret_cast<const char*>(data()), size()}; }

    // Room for at least min(space(), want) bytes at tail(); call commit() after writing.
    std::uint8_t* prepare(std::size_t want);
    void commit(std::size_t n) { end_ += n; }
    void consume(std::size_t n);
    void append(std::string_view bytes);
    void clear() { begin_ = end_ = 0; }

private:
    std::vector<std::uint8_t> storage_;
    std::size_t begin_ = 0, end_ = 0;
    std::size_t capacity_;
};

enum class Phase { ReadRequest, Resolving, Connecting, SniCheck, Relay, Closing };
enum class Protocol { Unknown, HttpConnect, HttpForward, Socks5 };

struct Connection {
    std::uint64_t id = 0;
    UniqueFd client, upstream;
    Phase phase = Phase::ReadRequest;
    Protocol protocol = Protocol::Unknown;
    bool socks_greeted = false;

    ByteBuffer up;         // client -> upstream
    ByteBuffer down;       // upstream -> client
    ProxyRequest request;  // the parsed HTTP request (Forward keeps its headers here)

    HostName host;
    std::string audit_host;  // what the audit shows, safe to print
    std::uint16_t port = 0;
    std::vector<sockaddr_storage> candidates;
    std::size_t next_candidate = 0;
    std::string address;  // "ip:port" actually connected to

    bool client_eof = false, upstream_eof = false;
    bool client_shut = false, upstream_shut = false;
    bool client_hup_seen = false;                          // hang-up noticed while resolving or connecting
    std::uint32_t client_events = 0, upstream_events = 0;  // registered epoll masks
    bool client_registered = true, upstream_registered = false;
    std::int64_t last_activity_ms = 0;
    std::size_t discarded = 0;  // bytes drained while closing

    // The record written when the connection ends.
    std::string decision;  // "allow", "deny", "error"
    std::string rule;
    std::string error;
    std::uint64_t bytes_up = 0, bytes_down = 0;
    bool audited = false;
};

// Printable, bounded form of untrusted text for audit records.
std::string printable(std::string_view text, std::size_t max = 253);

}  // namespace deskbox::proxy
