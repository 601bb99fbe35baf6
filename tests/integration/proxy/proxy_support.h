// What the proxy integration tests share: a tiny HTTP origin server on
// loopback that remembers the request heads it got, a TLS origin
// (openssl s_server with a certificate made by the test), a collector for
// audit records that lets a test wait for a record, and running real
// commands (curl, openssl, nsenter) with their output captured.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace proxytest {

// Fails the test (throws) unless DESKBOX_MUST_WORK is unset, then returns false.
bool require_or_skip(bool ok, const std::string& what);

// A listening TCP socket on 127.0.0.1 with an ephemeral port.
deskbox::UniqueFd listen_loopback(std::uint16_t& port);

// Serves "HTTP/1.0 200 OK" with `body` to every connection, on its own thread.
class OriginServer {
public:
    explicit OriginServer(std::string body);
    ~OriginServer();
    std::uint16_t port() const { return port_; }
    // Request heads received, in order (connections that sent nothing are not listed).
    std::vector<std::string> heads() const;

private:
    void serve();
    deskbox::UniqueFd listen_, stop_;
    std::uint16_t port_ = 0;
    std::string body_;
    mutable std::mutex mutex_;
    std::vector<std::string> heads_;
    std::thread thread_;
};

// A TCP connection to 127.0.0.1:`port` (TCP_NODELAY: tests send byte by byte).
deskbox::UniqueFd dial(std::uint16_t port);
// Sends all of `s`; throws when the peer is gone.
void send_all(int fd, const std::string& s);
// Everything the peer sends until it closes (at most 20 s of silence per read; then throws).
std::string read_to_eof(int fd);

struct CommandResult {
    int exit_code = -1;  // 128+signal when killed
    std::string out, err;
};

// Runs argv (PATH lookup), waits for it to end; kills it after `limit`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds limit = std::chrono::seconds(60));

// openssl s_server -www with a self-signed certificate for `name`.
class TlsServer {
public:
    TlsServer(const std::filesystem::path& dir, const std::string& name);
    ~TlsServer();
    std::uint16_t port() const { return port_; }
    const std::filesystem::path& cert() const { return cert_; }

private:
    pid_t pid_ = -1;
    deskbox::UniqueFd out_, stdin_;
    std::thread drain_;
    std::uint16_t port_ = 0;
    std::filesystem::path cert_;
};

class AuditCollector {
public:
    std::function<void(const nlohmann::json&)> sink();
    // Waits (bounded) for a record whose host equals `host`; throws on timeout.
    nlohmann::json wait_for(const std::string& host, std::chrono::milliseconds limit = std::chrono::seconds(20));
    // Waits (bounded) until `count` records have arrived.
    std::vector<nlohmann::json> wait_count(std::size_t count,
                                           std::chrono::milliseconds limit = std::chrono::seconds(20));
    std::vector<nlohmann::json> records() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<nlohmann::json> records_;
};

// A fresh temporary directory, removed with its contents.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace proxytest
