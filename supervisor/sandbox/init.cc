#include "supervisor/sandbox/init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

#include "supervisor/base/child_exec.h"
#include "supervisor/base/error.h"
#include "supervisor/base/exec_path.h"
#include "supervisor/sandbox/caps.h"
#include "supervisor/sandbox/protocol.h"

namespace deskbox::sandbox {
namespace {

// Steps of a spawn that can fail in the child, reported through a pipe.
enum SpawnStep : int {
    kStepSetsid = 1,
    kStepCaps,
    kStepGid,
    kStepUid,
    kStepClearCaps,
    kStepLimits,
    kStepCwd,
    kStepFds,
    kStepNoNewPrivs,
    kStepSeccomp,
    kStepExec,
};

const char* step_name(int step) {
    switch (step) {
        case kStepSetsid:
            return "setsid";
        case kStepCaps:
            return "dropping the capability bounding set";
        case kStepGid:
            return "setting the app gid";
        case kStepUid:
            return "setting the app uid";
        case kStepClearCaps:
            return "clearing capabilities";
        case kStepLimits:
            return "setting rlimits";
        case kStepCwd:
            return "changing to the working directory";
        case kStepFds:
            return "arranging descriptors";
        case kStepNoNewPrivs:
            return "setting no_new_privs";
        case kStepSeccomp:
            return "loading the seccomp filter";
        case kStepExec:
            return "exec";
        default:
            return "starting";
    }
}

void bring_up_loopback() {
    UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw_errno("bringing up lo: socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) throw_errno("bringing up lo: SIOCGIFFLAGS");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (ioctl(sock.get(), SIOCSIFFLAGS, &ifr) != 0) throw_errno("bringing up lo: SIOCSIFFLAGS");
}

void become_namespace_root(const IdMapping& ids) {
    if (ids.privileged) {
        // The supervisor's supplementary groups (host root's) must not follow us in.
        if (setgroups(0, nullptr) != 0) throw_errno("dropping supplementary groups");
        if (setresgid(0, 0, 0) != 0) throw_errno("setresgid(0) in the user namespace");
        if (setresuid(0, 0, 0) != 0) throw_errno("setresuid(0) in the user namespace");
    }
    // Processes of the sandbox share init's uid in the unprivileged case: a
    // non-dumpable init cannot be ptraced nor its /proc files read by them.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("making init non-dumpable");
}

class Init {
public:
    explicit Init(InitConfig& config) : config_(config) {}

    void setup() {
        Packet go;
        if (!receive_packet(config_.control_fd, go)) _exit(1);  // supervisor already gone
        MessageReader r(go.bytes);
        if (r.type() != MessageType::Go) throw Error("sandbox init: expected Go from the supervisor");
        become_namespace_root(config_.ids);
        const std::string& name = config_.hostname;
        if (sethostname(name.data(), std::min<std::size_t>(name.size(), 63)) != 0) throw_errno("setting the hostname");
        build_root(config_.mounts);
        // The mounts are in place: init keeps none of their descriptors.
        config_.mounts.files.clear();
        config_.mounts.staging.tree.reset();
        bring_up_loopback();
        // The supervisor placed us in the session cgroup: make it our cgroup root.
        if (unshare(CLONE_NEWCGROUP) != 0) throw_errno("entering a new cgroup namespace");
        UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!null) throw_errno("opening /dev/null");
        if (dup2(null.get(), 0) < 0 || dup2(config_.log_fd, 1) < 0 || dup2(config_.log_fd, 2) < 0)
            throw_errno("setting init's standard descriptors");
        close(config_.log_fd);
    }

    [[noreturn]] void serve() {
        sigset_t mask;
        sigemptyset(&mask);
        for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
        if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) fail_and_exit("blocking signals");
        UniqueFd sigfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
        if (!sigfd) fail_and_exit("creating signalfd");
        send_packet(config_.control_fd, MessageWriter(MessageType::Ready).bytes());
        for (;;) {
            pollfd fds[2] = {{config_.control_fd, POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
            if (poll(fds, 2, -1) < 0 && errno != EINTR) _exit(1);
            if (fds[1].revents & POLLIN) handle_signals(sigfd.get());
            if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) handle_request();
        }
    }

    [[noreturn]] void fail_and_exit(const std::string& message) {
        try {
            send_packet(config_.control_fd, MessageWriter(MessageType::Failed).str(message).bytes());
        } catch (...) {
        }
        _exit(1);
    }

private:
    void handle_signals(int sigfd) {
        signalfd_siginfo info;
        while (read(sigfd, &info, sizeof info) == sizeof info) {
            if (info.ssi_signo == SIGCHLD)
                reap();
            else
                terminate_all();  // forward: every process of the namespace but us
        }
    }

    // SIGTERM to every process of the namespace but us, then SIGCONT (as
    // systemd does): a stopped process (SIGSTOP, a debugger's, a frozen app)
    // handles its SIGTERM only once it runs again, so without it the session's
    // end would wait out the whole grace period for it.
    static void terminate_all() {
        kill(-1, SIGTERM);
        kill(-1, SIGCONT);
    }

    void reap() {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (started_.erase(pid) == 0) continue;  // an orphan that we merely reap
            send_packet(config_.control_fd, MessageWriter(MessageType::Exited).i32(pid).i32(status).bytes());
        }
    }

    void handle_request() {
        Packet packet;
        bool got;
        try {
            got = receive_packet(config_.control_fd, packet, true);
        } catch (const Error&) {
            _exit(1);
        }
        if (!got) {
            if (errno == EAGAIN) return;
            _exit(0);  // the supervisor is gone: the kernel takes the namespace down with us
        }
        MessageReader r(packet.bytes);
        switch (r.type()) {
            case MessageType::Spawn:
                spawn(r, packet.fds);
                break;
            case MessageType::Signal: {
                const pid_t pid = r.i32();
                const int signo = r.i32();
                if (r.ok() && started_.count(pid)) kill(pid, signo);
                break;
            }
            case MessageType::Terminate:
                terminate_all();
                break;
            default:
                break;  // unknown requests are ignored, never fatal
        }
    }

    void reply(std::uint32_t id, pid_t pid, const std::string& error) {
        send_packet(config_.control_fd, MessageWriter(MessageType::SpawnResult).u32(id).i32(pid).str(error).bytes());
    }

    void spawn(MessageReader& r, std::vector<UniqueFd>& passed) {
        const std::uint32_t id = r.u32();
        const bool browser = r.u32() != 0;
        const int oom_score_adj = r.i32();
        std::vector<std::string> argv = r.strings();
        std::vector<std::string> env = r.strings();
        const std::string cwd = r.str();
        const std::uint32_t nfds = r.u32();
        std::vector<int> targets;
        for (std::uint32_t i = 0; i < nfds && r.ok() && i < kMaxFdsPerMessage; ++i) targets.push_back(r.i32());
        if (!r.ok() || argv.empty() || targets.size() != passed.size()) {
            reply(id, 0, "malformed spawn request");
            return;
        }
        for (int t : targets)
            if (t < 0 || t > 1023) return reply(id, 0, "descriptor target out of range");
        if (oom_score_adj < 0 || oom_score_adj > 1000) return reply(id, 0, "oom_score_adj out of range");
        char oom_text[8];
        std::snprintf(oom_text, sizeof oom_text, "%d", oom_score_adj);
        if (browser && config_.browser_filter.instructions.empty())
            return reply(id, 0, "browser_sandbox was not prepared for this session");
        const std::string exe = search_exec_path(argv[0], path_of_env(env));
        if (exe.empty()) return reply(id, 0, "exec " + argv[0] + ": not found in PATH");

        // Everything the child needs is prepared here: after fork it only makes system calls.
        const std::vector<char*> cargv = exec_array(argv);
        const std::vector<char*> cenv = exec_array(env);
        const std::string dir = cwd.empty() ? std::string(kAppHome) : cwd;
        std::vector<FdMove> moves;
        for (std::size_t i = 0; i < passed.size(); ++i) moves.push_back({passed[i].get(), targets[i]});
        const SeccompProgram& filter = browser ? config_.browser_filter : config_.default_filter;
        const bool has_stdin = std::find(targets.begin(), targets.end(), 0) != targets.end();

        int report[2];
        if (pipe2(report, O_CLOEXEC) != 0) return reply(id, 0, "pipe: " + errno_text(errno));
        const pid_t pid = fork();
        if (pid < 0) {
            const int err = errno;
            close(report[0]);
            close(report[1]);
            return reply(id, 0, "fork: " + errno_text(err));
        }
        if (pid == 0)
            child(report[1], exe.c_str(), cargv.data(), cenv.data(), dir.c_str(), moves, filter, has_stdin, oom_text);
        close(report[1]);
        int failure[2];
        ssize_t n;
        do {
            n = read(report[0], failure, sizeof failure);
        } while (n < 0 && errno == EINTR);
        close(report[0]);
        if (n == sizeof failure) {
            int status;
            waitpid(pid, &status, 0);
            return reply(id, 0,
                         std::string(step_name(failure[0])) + " " + (failure[0] == kStepExec ? exe + ": " : ": ") +
                             errno_text(failure[1]));
        }
        started_.insert(pid);
        reply(id, pid, "");
    }

    // After fork: system calls only, no allocation (init is single-threaded,
    // but we keep the habit), no return.
    [[noreturn]] void child(int report, const char* exe, char* const* argv, char* const* envp, const char* cwd,
                            const std::vector<FdMove>& moves, const SeccompProgram& filter, bool has_stdin,
                            const char* oom_score_adj) {
        auto fail = [&report](int step, int err) {
            const int msg[2] = {step, err};
            [[maybe_unused]] auto w = write(report, msg, sizeof msg);
            _exit(127);
        };
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        // Ignored signals stay ignored across exec (the supervisor ignores SIGPIPE).
        for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);
        close(config_.control_fd);
        if (setsid() < 0) fail(kStepSetsid, errno);
        {
            // init may run with -1000 (never the OOM victim); its children get what was asked.
            const int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                [[maybe_unused]] auto w = write(fd, oom_score_adj, std::strlen(oom_score_adj));
                close(fd);
            }
        }
        if (int err = drop_bounding_and_ambient()) fail(kStepCaps, err);
        if (setresgid(config_.mounts.app_gid, config_.mounts.app_gid, config_.mounts.app_gid) != 0)
            fail(kStepGid, errno);
        if (setresuid(config_.mounts.app_uid, config_.mounts.app_uid, config_.mounts.app_uid) != 0)
            fail(kStepUid, errno);
        if (int err = clear_capability_sets()) fail(kStepClearCaps, err);
        if (int err = apply_process_limits(config_.limits)) fail(kStepLimits, err);
        if (chdir(cwd) != 0) fail(kStepCwd, errno);
        // The passed fds into place; every other fd closes at exec (the report pipe stays usable until then).
        if (int err = place_fds(moves.data(), moves.size(), &report)) fail(kStepFds, err);
        if (!has_stdin) {
            const int null = open("/dev/null", O_RDONLY);
            if (null < 0 || dup2(null, 0) < 0) fail(kStepFds, errno);
            if (null != 0) close(null);
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(kStepNoNewPrivs, errno);
        if (int err = load_seccomp_program(filter)) fail(kStepSeccomp, err);
        execve(exe, argv, envp);
        fail(kStepExec, errno);
        _exit(127);
    }

    InitConfig& config_;
    std::set<pid_t> started_;
};

}  // namespace

ArgvArea own_argv_area() {
    // Fields 48 and 49 of /proc/self/stat: arg_start, arg_end. The comm field
    // (2) may hold spaces and parentheses, so count from its closing ')'.
    UniqueFd fd(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    std::string text(4096, '\0');
    const ssize_t n = read(fd.get(), text.data(), text.size());
    if (n <= 0) return {};
    text.resize(static_cast<std::size_t>(n));
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return {};
    std::istringstream in(text.substr(paren + 1));
    std::string field;
    ArgvArea area;
    for (int index = 3; in >> field; ++index) {
        if (index == 48) area.start = std::strtoull(field.c_str(), nullptr, 10);
        if (index == 49) {
            area.end = std::strtoull(field.c_str(), nullptr, 10);
            break;
        }
    }
    if (area.end <= area.start) return {};
    return area;
}

void overwrite_argv_area(const ArgvArea& area, const char* title) noexcept {
    if (area.end <= area.start) return;
    char* begin = reinterpret_cast<char*>(area.start);
    const std::size_t size = area.end - area.start;
    // The last byte stays NUL: the kernel then shows exactly this area
    // (a non-NUL end means setproctitle and makes it read on into environ).
    std::memset(begin, 0, size);
    std::strncpy(begin, title, size - 1);
    prctl(PR_SET_NAME, title, 0, 0, 0);  // /proc/PID/comm (truncated to 15 bytes)
}

void run_init(InitConfig& config) {
    overwrite_argv_area(config.argv_area, kInitTitle);
    // Dies with the supervisor, SIGKILL included. The race (the supervisor
    // dying before this line) is caught by the Go read: it sees end of stream.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    Init init(config);
    try {
        init.setup();
    } catch (const std::exception& e) {
        init.fail_and_exit(e.what());
    }
    init.serve();
}

}  // namespace deskbox::sandbox
