// The deployment shape: the proxy's listening socket lives in a fresh network
// namespace (only `lo`, no routes), the proxy connects out from the host
// namespace. From inside, the proxy is the only way out. Needs root.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "supervisor/base/error.h"
#include "supervisor/base/netns.h"
#include "tests/integration/proxy/proxy_fixture.h"

using namespace proxytest;
using deskbox::UniqueFd;

namespace {

// A child process parked in a new network namespace with `lo` up; the
// namespace lives as long as this object.
class FreshNetns {
public:
    FreshNetns() {
        int ready[2], hold[2];
        if (pipe2(ready, O_CLOEXEC) || pipe2(hold, O_CLOEXEC)) deskbox::throw_errno("pipe2");
        pid_ = fork();
        if (pid_ < 0) deskbox::throw_errno("fork");
        if (pid_ == 0) {
            // Child of a possibly threaded process: system calls only, no allocation.
            close(ready[0]);
            close(hold[1]);
            char status = 0;
            if (unshare(CLONE_NEWNET) != 0) status = 1;
            const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            ifreq ifr{};
            std::strcpy(ifr.ifr_name, "lo");
            if (status == 0 && (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)) status = 2;
            ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
            if (status == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) != 0) status = 3;
            if (write(ready[1], &status, 1) != 1) _exit(4);
            char b;
            while (read(hold[0], &b, 1) < 0 && errno == EINTR) {
            }
            _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        hold_.reset(hold[1]);
        UniqueFd ready_fd(ready[0]);
        pollfd p{ready_fd.get(), POLLIN, 0};
        char status = 9;
        if (poll(&p, 1, 10'000) != 1 || read(ready_fd.get(), &status, 1) != 1 || status != 0)
            throw std::runtime_error("creating a network namespace failed at step " + std::to_string(status));
        path_ = "/proc/" + std::to_string(pid_) + "/ns/net";
        fd_.reset(open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd_) deskbox::throw_errno("opening " + path_);
    }
    ~FreshNetns() {
        hold_.reset();
        int st;
        waitpid(pid_, &st, 0);
    }
    int fd() const { return fd_.get(); }
    // argv run inside the namespace through nsenter.
    CommandResult run(std::vector<std::string> argv) const {
        argv.insert(argv.begin(), {"nsenter", "--net=" + path_});
        return run_command(argv, std::chrono::seconds(30));
    }

private:
    pid_t pid_ = -1;
    UniqueFd hold_, fd_;
    std::string path_;
};

std::string first_nameserver() {
    std::ifstream in("/etc/resolv.conf");
    std::string word;
    while (in >> word)
        if (word == "nameserver" && in >> word) return word;
    return "192.0.2.53";
}

// A UDP datagram to addr:port from the calling thread's namespace; the
// answer, or the error that came instead ("" on no answer within `wait_ms`).
std::string udp_exchange(const std::string& addr, std::uint16_t port, int wait_ms) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (inet_pton(AF_INET, addr.c_str(), &reinterpret_cast<sockaddr_in&>(ss).sin_addr) == 1) {
        auto& s = reinterpret_cast<sockaddr_in&>(ss);
        s.sin_family = AF_INET;
        s.sin_port = htons(port);
        len = sizeof s;
    } else if (inet_pton(AF_INET6, addr.c_str(), &reinterpret_cast<sockaddr_in6&>(ss).sin6_addr) == 1) {
        auto& s = reinterpret_cast<sockaddr_in6&>(ss);
        s.sin6_family = AF_INET6;
        s.sin6_port = htons(port);
        len = sizeof s;
    } else {
        return "error: bad address " + addr;
    }
    UniqueFd fd(socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return "error: " + deskbox::errno_text(errno);
    // A DNS query for allowed.example, type A.
    const unsigned char query[] = {0x12, 0x34, 1,   0, 0,   1,   0,   0,   0,   0,   0,   0, 7, 'a', 'l', 'l', 'o',
                                   'w',  'e',  'd', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1,   0,   1};
    if (send(fd.get(), query, sizeof query, 0) < 0) return "error: " + deskbox::errno_text(errno);
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, wait_ms) != 1) return "";
    char buf[512];
    const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) return "error: " + deskbox::errno_text(errno);
    return "answer of " + std::to_string(n) + " bytes";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_in_a_network_namespace)

BOOST_AUTO_TEST_CASE(only_the_proxy_leads_out) {
    if (!require_or_skip(geteuid() == 0, "network namespace test needs root")) return;
    FreshNetns ns;
    OriginServer origin("hello through the namespace\n");
    const std::string origin_port = std::to_string(origin.port());

    // The listening socket is made inside the namespace; the proxy runs here.
    UniqueFd listener = deskbox::socket_in_netns(ns.fd(), AF_INET, SOCK_STREAM);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(3128);
    BOOST_REQUIRE(bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(listen(listener.get(), 64) == 0);
    deskbox::NetworkSpec spec;
    spec.mode = deskbox::NetworkMode::Allowlist;
    spec.allow = {"allowed.example"};
    spec.resolve = {{"allowed.example", deskbox::ResolveTarget{"127.0.0.1", origin.port()}}};
    RunningProxy p(spec, std::move(listener));

    // Through the proxy: the allowed name loads, another does not.
    const std::vector<std::string> curl_in = {"curl", "-sS",     "--max-time",           "10", "--noproxy", "",
                                              "-f",   "--proxy", "http://127.0.0.1:3128"};
    auto with = [](std::vector<std::string> v, const std::string& extra) {
        v.push_back(extra);
        return v;
    };
    const auto ok = ns.run(with(curl_in, "http://allowed.example/"));
    BOOST_TEST(ok.exit_code == 0, ok.err);
    BOOST_TEST(ok.out == "hello through the namespace\n");
    const auto denied = ns.run(with(curl_in, "http://evil.example/"));
    BOOST_TEST(denied.exit_code != 0);
    BOOST_TEST(p.audit.wait_for("evil.example")["decision"] == "deny");

    // The origin is reachable directly from the host (control) but not from inside.
    const auto host_direct = run_command(
        {"curl", "-sS", "--max-time", "10", "--noproxy", "*", "-f", "http://127.0.0.1:" + origin_port + "/"});
    BOOST_TEST(host_direct.exit_code == 0, host_direct.err);
    const auto inside_direct =
        ns.run({"curl", "-sS", "--max-time", "10", "--noproxy", "*", "-f", "http://127.0.0.1:" + origin_port + "/"});
    BOOST_TEST(inside_direct.exit_code == 7, "curl --noproxy from inside: " << inside_direct.err);  // couldn't connect
    const auto dev_tcp = ns.run({"bash", "-c", "echo > /dev/tcp/127.0.0.1/" + origin_port});
    BOOST_TEST(dev_tcp.exit_code != 0);
    BOOST_TEST(dev_tcp.err.find("Connection refused") != std::string::npos, dev_tcp.err);
    const auto outside = ns.run({"bash", "-c", "echo > /dev/tcp/192.0.2.1/80"});
    BOOST_TEST(outside.exit_code != 0);
    BOOST_TEST(outside.err.find("Network is unreachable") != std::string::npos, outside.err);

    // DNS: the host's resolver and any loopback resolver are out of reach.
    const std::string nameserver = first_nameserver();
    std::string to_nameserver, to_loopback;
    int gai = 0;
    deskbox::run_in_netns(ns.fd(), [&] {
        to_nameserver = udp_exchange(nameserver, 53, 3000);
        to_loopback = udp_exchange("127.0.0.53", 53, 3000);
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        gai = getaddrinfo("allowed.example", "80", &hints, &res);
        if (res) freeaddrinfo(res);
    });
    BOOST_TEST(to_nameserver.rfind("error: ", 0) == 0, "query to " << nameserver << ": '" << to_nameserver << "'");
    BOOST_TEST(to_loopback == "error: Connection refused");
    BOOST_TEST(gai != 0);
    BOOST_TEST(origin.heads().size() == 2u);  // the proxied request and the host's control request
}

BOOST_AUTO_TEST_SUITE_END()
