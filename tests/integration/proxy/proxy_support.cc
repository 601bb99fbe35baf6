#include "tests/integration/proxy/proxy_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "supervisor/base/error.h"

extern char** environ;

namespace proxytest {

using deskbox::UniqueFd;

bool require_or_skip(bool ok, const std::string& what) {
    if (ok) return true;
    const char* must = std::getenv("DESKBOX_MUST_WORK");
    if (must && std::string(must) == "1")
        throw std::runtime_error("prerequisite missing (DESKBOX_MUST_WORK=1): " + what);
    std::cerr << "skipping: " << what << "\n";
    return false;
}

UniqueFd listen_loopback(std::uint16_t& port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) deskbox::throw_errno("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) deskbox::throw_errno("bind 127.0.0.1:0");
    if (listen(fd.get(), 128) != 0) deskbox::throw_errno("listen");
    socklen_t len = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

OriginServer::OriginServer(std::string body) : body_(std::move(body)) {
    listen_ = listen_loopback(port_);
    stop_.reset(eventfd(0, EFD_CLOEXEC));
    thread_ = std::thread([this] { serve(); });
}

OriginServer::~OriginServer() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(stop_.get(), &one, sizeof one);
    thread_.join();
}

std::vector<std::string> OriginServer::heads() const {
    std::lock_guard lock(mutex_);
    return heads_;
}

void OriginServer::serve() {
    while (true) {
        pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        UniqueFd c(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c) continue;
        // Read the head (bounded, with a timeout so a silent client cannot hang the test).
        std::string head;
        char buf[4096];
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
            pollfd p{c.get(), POLLIN, 0};
            if (poll(&p, 1, 10'000) <= 0) break;
            const ssize_t n = recv(c.get(), buf, sizeof buf, 0);
            if (n <= 0) break;
            head.append(buf, static_cast<std::size_t>(n));
        }
        if (head.empty()) continue;  // connected, but sent nothing
        {
            std::lock_guard lock(mutex_);
            const auto end = head.find("\r\n\r\n");
            heads_.push_back(end == std::string::npos ? head : head.substr(0, end + 4));
        }
        const std::string response =
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body_.size()) +
            "\r\nConnection: close\r\n\r\n" + body_;
        std::size_t off = 0;
        while (off < response.size()) {
            const ssize_t n = send(c.get(), response.data() + off, response.size() - off, MSG_NOSIGNAL);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
}

UniqueFd dial(std::uint16_t port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) deskbox::throw_errno("connect");
    return fd;
}

void send_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0) deskbox::throw_errno("send");
        off += static_cast<std::size_t>(n);
    }
}

std::string read_to_eof(int fd) {
    std::string got;
    char buf[4096];
    while (true) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 20'000) != 1) throw std::runtime_error("the proxy neither answered nor closed");
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

namespace {

struct SpawnedProcess {
    pid_t pid = -1;
    UniqueFd out, err, in;
};

SpawnedProcess spawn(const std::vector<std::string>& argv, bool keep_stdin_open) {
    int out[2], err[2], in[2];
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(in, O_CLOEXEC)) deskbox::throw_errno("pipe2");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    SpawnedProcess p;
    const int rc = posix_spawnp(&p.pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    close(in[0]);
    p.out.reset(out[0]);
    p.err.reset(err[0]);
    if (keep_stdin_open)
        p.in.reset(in[1]);
    else
        close(in[1]);
    if (rc != 0) deskbox::throw_errno("starting " + argv[0], rc);
    return p;
}

int wait_exit(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
    SpawnedProcess p = spawn(argv, false);
    CommandResult r;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(p.pid, SIGKILL);
            break;
        }
        pollfd fds[2] = {{out_open ? p.out.get() : -1, POLLIN, 0}, {err_open ? p.err.get() : -1, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) < 0) continue;
        char buf[8192];
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents) continue;
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0)
                (i == 0 ? out_open : err_open) = false;
            else
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
        }
    }
    r.exit_code = wait_exit(p.pid);
    return r;
}

TlsServer::TlsServer(const std::filesystem::path& dir, const std::string& name) {
    cert_ = dir / (name + ".crt");
    const auto key = dir / (name + ".key");
    const auto made =
        run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-days", "1", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name, "-keyout",
                     key.string(), "-out", cert_.string()});
    if (made.exit_code != 0) throw std::runtime_error("making a test certificate: " + made.err);
    SpawnedProcess p = spawn({"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert_.string(), "-key",
                              key.string(), "-www", "-naccept", "1000"},
                             true);
    pid_ = p.pid;
    out_ = std::move(p.out);
    // s_server prints "ACCEPT 127.0.0.1:PORT" once it listens: wait for that line.
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (text.find('\n', text.find("ACCEPT")) == std::string::npos || text.find("ACCEPT") == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd pfd{out_.get(), POLLIN, 0};
        if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0)
            throw std::runtime_error("openssl s_server did not report its port: " + text);
        char buf[512];
        const ssize_t n = read(out_.get(), buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("openssl s_server ended: " + text);
        text.append(buf, static_cast<std::size_t>(n));
    }
    const auto at = text.find("ACCEPT");
    const auto colon = text.rfind(':', text.find('\n', at));
    port_ = static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1)));
    stdin_ = std::move(p.in);
    drain_ = std::thread([fd = out_.get()] {
        char buf[4096];
        while (read(fd, buf, sizeof buf) > 0) {
        }
    });
}

TlsServer::~TlsServer() {
    kill(pid_, SIGTERM);
    wait_exit(pid_);
    if (drain_.joinable()) drain_.join();
}

std::function<void(const nlohmann::json&)> AuditCollector::sink() {
    return [this](const nlohmann::json& r) {
        {
            std::lock_guard lock(mutex_);
            records_.push_back(r);
        }
        cv_.notify_all();
    };
}

nlohmann::json AuditCollector::wait_for(const std::string& host, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    nlohmann::json found;
    const bool ok = cv_.wait_for(lock, limit, [&] {
        for (const auto& r : records_)
            if (r.value("host", "") == host) {
                found = r;
                return true;
            }
        return false;
    });
    if (!ok) throw std::runtime_error("no audit record for host '" + host + "'");
    return found;
}

std::vector<nlohmann::json> AuditCollector::wait_count(std::size_t count, std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, limit, [&] { return records_.size() >= count; }))
        throw std::runtime_error("expected " + std::to_string(count) + " audit records, got " +
                                 std::to_string(records_.size()));
    return records_;
}

std::vector<nlohmann::json> AuditCollector::records() const {
    std::lock_guard lock(mutex_);
    return records_;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "deskbox-proxy-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) deskbox::throw_errno("mkdtemp");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace proxytest
