// Egress proxy benchmark on loopback: bulk throughput through a CONNECT
// tunnel against a direct TCP connection (both directions), and the time to
// a first answer on a new connection: direct, through CONNECT (one more
// round trip by design of the protocol), and as a plain-HTTP forward.
// Usage: proxy_bench [--bytes N_MiB] [--rounds R] [--connections C]
// Prints medians and spread; figures go to bench/README.md ("Egress proxy").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/proxy/egress_proxy.h"

using deskbox::UniqueFd;
using Clock = std::chrono::steady_clock;

namespace {

UniqueFd listen_on(std::uint16_t& port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd.get(), 512) != 0)
        deskbox::throw_errno("bench: listening on 127.0.0.1");
    socklen_t len = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

UniqueFd dial(std::uint16_t port) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) deskbox::throw_errno("bench: connect");
    return fd;
}

void send_all(int fd, const char* p, std::size_t n) {
    while (n) {
        const ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) deskbox::throw_errno("bench: send");
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::string read_head(int fd) {  // up to and including the blank line, byte by byte (small)
    std::string s;
    char c;
    while (s.size() < 4 || s.compare(s.size() - 4, 4, "\r\n\r\n") != 0) {
        if (recv(fd, &c, 1, 0) != 1) throw std::runtime_error("bench: proxy closed during CONNECT: " + s);
        s += c;
    }
    return s;
}

// The origin: first byte of each connection picks the mode.
//  'u' <8-byte n>: read n bytes, answer "k"      (upload)
//  'd' <8-byte n>: send n bytes                  (download)
//  'p': answer "y" at once                        (ping, for connection latency)
//  'G': an HTTP request; answer a tiny response  (plain-HTTP forward)
class Origin {
public:
    Origin() {
        listen_ = listen_on(port_);
        stop_.reset(eventfd(0, EFD_CLOEXEC));
        thread_ = std::thread([this] { loop(); });
    }
    ~Origin() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = write(stop_.get(), &one, sizeof one);
        thread_.join();
        for (auto& t : workers_) t.join();
    }
    std::uint16_t port() const { return port_; }

private:
    void loop() {
        while (true) {
            pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
            poll(fds, 2, -1);
            if (fds[1].revents) return;
            int c = accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            const int one = 1;
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            char mode;
            if (recv(c, &mode, 1, MSG_PEEK) != 1) {
                close(c);
                continue;
            }
            if (mode == 'p' || mode == 'G') {
                serve_small(c, mode);  // inline: latency runs are sequential
            } else {
                workers_.emplace_back([c] { serve_bulk(c); });
            }
        }
    }
    static void serve_small(int c, char mode) {
        char buf[4096];
        if (mode == 'p') {
            [[maybe_unused]] auto n = recv(c, buf, 1, 0);
            [[maybe_unused]] auto w = send(c, "y", 1, MSG_NOSIGNAL);
        } else {
            std::string head;
            while (head.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                head.append(buf, static_cast<std::size_t>(n));
            }
            static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\ny";
            [[maybe_unused]] auto w = send(c, resp, sizeof resp - 1, MSG_NOSIGNAL);
        }
        close(c);
    }
    static void serve_bulk(int c) {
        char hdr[9];
        std::size_t got = 0;
        while (got < sizeof hdr) {
            const ssize_t n = recv(c, hdr + got, sizeof hdr - got, 0);
            if (n <= 0) return (void)close(c);
            got += static_cast<std::size_t>(n);
        }
        std::uint64_t total;
        std::memcpy(&total, hdr + 1, 8);
        std::vector<char> buf(256 * 1024, 'z');
        if (hdr[0] == 'u') {
            std::uint64_t seen = 0;
            while (seen < total) {
                const ssize_t n = recv(c, buf.data(), buf.size(), 0);
                if (n <= 0) break;
                seen += static_cast<std::uint64_t>(n);
            }
            [[maybe_unused]] auto w = send(c, "k", 1, MSG_NOSIGNAL);
        } else {
            std::uint64_t sent = 0;
            while (sent < total) {
                const ssize_t n = send(c, buf.data(), std::min<std::uint64_t>(buf.size(), total - sent), MSG_NOSIGNAL);
                if (n <= 0) break;
                sent += static_cast<std::uint64_t>(n);
            }
        }
        close(c);
    }

    UniqueFd listen_, stop_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::vector<std::thread> workers_;
};

// A connection to the origin, direct or through a CONNECT tunnel.
UniqueFd open_path(bool via_proxy, std::uint16_t proxy_port, std::uint16_t origin_port) {
    if (!via_proxy) return dial(origin_port);
    UniqueFd fd = dial(proxy_port);
    static const std::string req = "CONNECT bench.example:80 HTTP/1.1\r\nHost: bench.example:80\r\n\r\n";
    send_all(fd.get(), req.data(), req.size());
    const std::string head = read_head(fd.get());
    if (head.rfind("HTTP/1.1 200", 0) != 0) throw std::runtime_error("bench: CONNECT refused: " + head);
    return fd;
}

double bulk_gbits(bool via_proxy, bool upload, std::uint16_t proxy_port, std::uint16_t origin_port,
                  std::uint64_t bytes) {
    UniqueFd fd = open_path(via_proxy, proxy_port, origin_port);
    char hdr[9];
    hdr[0] = upload ? 'u' : 'd';
    std::memcpy(hdr + 1, &bytes, 8);
    std::vector<char> buf(256 * 1024, 'a');
    const auto start = Clock::now();
    send_all(fd.get(), hdr, sizeof hdr);
    if (upload) {
        std::uint64_t sent = 0;
        while (sent < bytes) {
            const std::size_t n = std::min<std::uint64_t>(buf.size(), bytes - sent);
            send_all(fd.get(), buf.data(), n);
            sent += n;
        }
        char k;
        if (recv(fd.get(), &k, 1, 0) != 1) throw std::runtime_error("bench: no upload acknowledgement");
    } else {
        std::uint64_t seen = 0;
        while (seen < bytes) {
            const ssize_t n = recv(fd.get(), buf.data(), buf.size(), 0);
            if (n <= 0) throw std::runtime_error("bench: download ended early");
            seen += static_cast<std::uint64_t>(n);
        }
    }
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(bytes) * 8 / secs / 1e9;
}

// Microseconds from connect() to the first answer byte.
double first_answer_us(int kind, std::uint16_t proxy_port, std::uint16_t origin_port) {
    const auto start = Clock::now();
    char c;
    if (kind == 2) {  // plain HTTP forward through the proxy
        UniqueFd fd = dial(proxy_port);
        static const std::string req = "GET http://bench.example/ HTTP/1.1\r\nHost: bench.example\r\n\r\n";
        send_all(fd.get(), req.data(), req.size());
        if (recv(fd.get(), &c, 1, 0) != 1) throw std::runtime_error("bench: no HTTP answer");
    } else {
        UniqueFd fd = open_path(kind == 1, proxy_port, origin_port);
        send_all(fd.get(), "p", 1);
        if (recv(fd.get(), &c, 1, 0) != 1) throw std::runtime_error("bench: no ping answer");
    }
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Summary {
    double median, min, max, p10, p90;
};

Summary summarize(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))]; };
    return {at(0.5), v.front(), v.back(), at(0.1), at(0.9)};
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t mib = 1024;
    int rounds = 5, connections = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--bytes")
            mib = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--rounds")
            rounds = std::atoi(argv[i + 1]);
        else if (a == "--connections")
            connections = std::atoi(argv[i + 1]);
    }
    try {
        Origin origin;
        deskbox::NetworkSpec spec;
        spec.mode = deskbox::NetworkMode::Allowlist;
        spec.allow = {"bench.example"};
        spec.resolve = {{"bench.example", deskbox::ResolveTarget{"127.0.0.1", origin.port()}}};
        spec.max_bytes = ~0ull;
        spec.max_connections = 100'000;
        std::uint16_t proxy_port = 0;
        std::atomic<std::uint64_t> records{0};
        deskbox::EgressProxy proxy(spec, listen_on(proxy_port), [&](const nlohmann::json&) { ++records; });
        proxy.start();

        const std::uint64_t bytes = mib << 20;
        std::printf("egress proxy benchmark, loopback, %llu MiB per transfer, %d rounds, %d connections\n",
                    static_cast<unsigned long long>(mib), rounds, connections);
        for (bool upload : {true, false}) {
            for (bool via : {false, true}) {
                std::vector<double> g;
                for (int r = 0; r < rounds; ++r) g.push_back(bulk_gbits(via, upload, proxy_port, origin.port(), bytes));
                const Summary s = summarize(g);
                std::printf("throughput %-8s %-6s median %6.2f Gbit/s  (min %.2f, max %.2f)\n",
                            upload ? "upload" : "download", via ? "proxy" : "direct", s.median, s.min, s.max);
            }
        }
        const char* names[] = {"direct", "CONNECT", "HTTP fwd"};
        double medians[3];
        for (int kind = 0; kind < 3; ++kind) {
            std::vector<double> us;
            for (int i = 0; i < 50; ++i) first_answer_us(kind, proxy_port, origin.port());  // warm up
            for (int i = 0; i < connections; ++i) us.push_back(first_answer_us(kind, proxy_port, origin.port()));
            const Summary s = summarize(us);
            medians[kind] = s.median;
            std::printf("new connection to first answer, %-8s median %7.1f us  (p10 %.1f, p90 %.1f, max %.1f)\n",
                        names[kind], s.median, s.p10, s.p90, s.max);
        }
        std::printf("added latency per new connection: CONNECT %+.1f us, HTTP forward %+.1f us (medians)\n",
                    medians[1] - medians[0], medians[2] - medians[0]);
        proxy.stop();
        const auto st = proxy.stats();
        std::printf("proxy stats: %llu accepted, %llu allowed, %llu refused, %llu failed, %llu audit records\n",
                    static_cast<unsigned long long>(st.accepted), static_cast<unsigned long long>(st.allowed),
                    static_cast<unsigned long long>(st.refused), static_cast<unsigned long long>(st.failed),
                    static_cast<unsigned long long>(records.load()));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "proxy_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
