// The session's display and VNC server live in the session's network
// namespace: the supervisor's X connection is opened from inside it, and the
// VNC forwarder's outgoing sockets are created in it. Here a fresh network
// namespace stands in for the sandbox's (needs root); Xvfb and x11vnc are
// started in it through nsenter.
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "supervisor/base/error.h"
#include "supervisor/base/netns.h"
#include "tests/integration/display/display_fixture.h"
#include "xsession/capture/codecs.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/xvfb.h"
#include "xsession/vnc/vnc_server.h"

using namespace deskbox;
using namespace deskbox::testing;

namespace {

// A process that holds a new network namespace (with lo up) until destroyed.
class NetnsHolder {
public:
    NetnsHolder() {
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) != 0) throw_errno("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
            const char result = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
            [[maybe_unused]] auto n = write(ready[1], &result, 1);
            for (;;) pause();  // holds the namespace; killed by the destructor
        }
        close(ready[1]);
        char result = 'n';
        [[maybe_unused]] auto n = read(ready[0], &result, 1);
        close(ready[0]);
        if (result != 'y') throw Error("unshare(CLONE_NEWNET) failed (needs root)");
        path_ = "/proc/" + std::to_string(pid_) + "/ns/net";
        fd_ = UniqueFd(open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd_) throw_errno("opening " + path_);
        run_in_netns(fd_.get(), [] {
            UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
            ifreq request{};
            std::strcpy(request.ifr_name, "lo");
            if (ioctl(sock.get(), SIOCGIFFLAGS, &request) != 0) throw_errno("reading lo's flags");
            request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
            if (ioctl(sock.get(), SIOCSIFFLAGS, &request) != 0) throw_errno("bringing lo up");
        });
    }
    ~NetnsHolder() {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    int fd() const { return fd_.get(); }
    const std::string& path() const { return path_; }

private:
    pid_t pid_ = -1;
    std::string path_;
    UniqueFd fd_;
};

// Starts every process inside the namespace (what the sandbox's spawner does for real).
class NetnsSpawner : public Spawner {
public:
    NetnsSpawner(Spawner& inner, std::string netns_path) : inner_(inner), path_(std::move(netns_path)) {}
    ProcessId spawn(const SpawnRequest& request, std::function<void(int)> on_exit) override {
        SpawnRequest wrapped = request;
        wrapped.argv = {"nsenter", "--net=" + path_, "--"};
        wrapped.argv.insert(wrapped.argv.end(), request.argv.begin(), request.argv.end());
        return inner_.spawn(wrapped, std::move(on_exit));
    }
    void signal(ProcessId id, int signo) override { inner_.signal(id, signo); }

private:
    Spawner& inner_;
    std::string path_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(display_netns)

BOOST_AUTO_TEST_CASE(x_connection_and_vnc_reach_a_display_inside_a_network_namespace) {
    if (!have_program("Xvfb") || !have_program("x11vnc") || !have_program("vncsnapshot") || !have_program("nsenter")) {
        return;
    }
    if (geteuid() != 0) {
        const char* must = getenv("DESKBOX_MUST_WORK");
        if (must && std::string(must) == "1") BOOST_FAIL("needs root to create a network namespace");
        BOOST_TEST_MESSAGE("skipped: needs root to create a network namespace");
        return;
    }
    // Declared first, removed last: after the spawner stopped every process.
    struct TempDir {
        std::string path;
        TempDir() {
            char tmpl[] = "/tmp/deskbox-netns-test-XXXXXX";
            if (!mkdtemp(tmpl)) throw_errno("creating a test directory");
            path = tmpl;
        }
        ~TempDir() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    } temp;
    const std::string& dir = temp.path;
    NetnsHolder netns;
    EventLoop loop;
    HostSpawner host(loop);
    NetnsSpawner spawner(host, netns.path());
    XvfbOptions options;
    options.width = 320;
    options.height = 240;
    options.auth_file_host = dir + "/Xauthority";
    options.extra_env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
    const XvfbServer server = start_xvfb(spawner, loop, options);

    // Opened from inside the namespace (the abstract socket is tried first and lives there).
    XConnection x = XConnection::open(server.display_number, server.cookie, netns.fd());
    BOOST_TEST(x.width() == 320);

    // x11vnc listens on 127.0.0.1:5900 of the namespace only; the forwarder reaches it.
    VncOptions vnc;
    vnc.display_number = server.display_number;
    vnc.auth_file_child = options.auth_file_host;
    vnc.password_file_host = dir + "/vnc.passwd";
    vnc.host_port = true;
    // The caller's namespace fd is closed right after the start and its number
    // reused by another file, as a session's local fd is: every later
    // connection must still reach x11vnc (the forwarder keeps its own fd).
    UniqueFd borrowed(fcntl(netns.fd(), F_DUPFD_CLOEXEC, 3));
    BOOST_REQUIRE(borrowed);
    vnc.netns_fd = borrowed.get();
    vnc.extra_env = options.extra_env;
    auto running = start_vnc(spawner, loop, vnc);
    const int number = borrowed.get();
    borrowed.reset();
    UniqueFd reuse(open("/dev/null", O_RDONLY | O_CLOEXEC));
    BOOST_REQUIRE(reuse.get() == number);  // the lowest free number: the one just closed
    // Nothing listens on the host's 127.0.0.1:5900 because of us: the port is the forwarder's.
    BOOST_TEST(running->endpoint().port != 5900);
    const std::string snapshot = dir + "/vnc.jpg";
    SpawnRequest client;
    client.name = "vncsnapshot";
    client.argv = {"vncsnapshot", "-passwd", running->endpoint().password_file,
                   "-quality",    "100",     "127.0.0.1::" + std::to_string(running->endpoint().port),
                   snapshot};
    client.env = options.extra_env;
    bool done = false;
    int status = -1;
    host.spawn(client, [&](int s) {
        done = true;
        status = s;
    });
    const std::int64_t deadline = monotonic_ms() + 30000;
    while (!done && monotonic_ms() < deadline) loop.run_once(Millis(1000));
    BOOST_REQUIRE(done);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    Desktop desktop(x);
    const RgbImage ours = desktop.capture_screen();
    std::FILE* file = std::fopen(snapshot.c_str(), "rb");
    BOOST_REQUIRE(file);
    std::string bytes;
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) bytes.append(buf, n);
    std::fclose(file);
    const RgbImage theirs = decode_jpeg(bytes);
    BOOST_REQUIRE(theirs.width == ours.width);
    double total = 0;
    for (std::size_t i = 0; i < ours.pixels.size(); ++i) total += std::abs(int(ours.pixels[i]) - int(theirs.pixels[i]));
    BOOST_TEST(total / static_cast<double>(ours.pixels.size()) < 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
