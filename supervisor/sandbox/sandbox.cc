#include "supervisor/sandbox/sandbox.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/sandbox/init.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/sandbox/protocol.h"
#include "supervisor/sandbox/seccomp.h"

namespace deskbox::sandbox {
namespace {

constexpr std::int64_t kReadyTimeoutMs = 20'000;

// Opens every file to place: the source of copies, a detached read-only
// mount (or, unprivileged, the path) for binds.
std::vector<PlacedFile> open_placements(const std::vector<FileToPlace>& files) {
    std::vector<PlacedFile> placed;
    for (const auto& f : files) {
        PlacedFile p;
        p.to = placement_target(f.to);
        p.copy = f.copy;
        if (f.copy) {
            p.fd.reset(open(f.from.c_str(), O_RDONLY | O_CLOEXEC));
            if (!p.fd) throw_errno("opening " + f.from.string() + " (to place at " + f.to + ")");
        } else {
            p.bind.path = f.from.string();
            p.bind.tree.reset(detached_read_only_tree(p.bind.path));
        }
        placed.push_back(std::move(p));
    }
    return placed;
}

std::string read_oom_score_adj() {
    UniqueFd fd(open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC));
    char buf[16] = {};
    if (!fd || read(fd.get(), buf, sizeof buf - 1) <= 0) throw_errno("reading /proc/self/oom_score_adj");
    std::string v(buf);
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    return v;
}

// Returns false when not permitted (lowering needs CAP_SYS_RESOURCE, which
// some container runtimes withhold): the protection is then skipped.
bool write_oom_score_adj(const std::string& value) {
    UniqueFd fd(open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
    if (fd && write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size())) return true;
    if (errno == EACCES || errno == EPERM) return false;
    throw_errno("setting oom_score_adj " + value + " for the sandbox init");
}

pid_t clone_init(int* pidfd) {
    clone_args args{};
    args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uint64_t>(pidfd);
    args.exit_signal = SIGCHLD;
    return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
}

}  // namespace

void validate_sandbox_options(const SandboxOptions& o) {
    if (o.name.empty()) throw Error("sandbox: the session name is empty");
    if (o.home_size < (1u << 20)) throw Error("sandbox: home_size below 1M");
    if (o.tmp_size < (1u << 20)) throw Error("sandbox: tmp_size below 1M");
    if (o.cgroup.memory < (16u << 20)) throw Error("sandbox: memory below 16M");
    if (o.cgroup.pids < 8) throw Error("sandbox: pids below 8");
    if (!(o.cgroup.cpu > 0.0)) throw Error("sandbox: cpu must be above 0");
    struct stat st {};
    for (const auto& f : o.files) {
        if (placement_target(f.to).empty())
            throw Error("sandbox.files: '" + f.to + "' must be a file path under ~/ or /tmp/");
        if (stat(f.from.c_str(), &st) != 0) throw_errno("sandbox.files: " + f.from.string());
        if (!S_ISREG(st.st_mode)) throw Error("sandbox.files: " + f.from.string() + " is not a regular file");
    }
}

std::unique_ptr<Sandbox> Sandbox::contain(const SandboxOptions& o) {
    // 1. Validate and prepare; nothing on the system changes yet (but on
    // cgroup v2 the supervisor moves into its own leaf cgroup: cgroup_delegation.h).
    validate_sandbox_options(o);
    struct stat st {};
    if (stat(o.staging_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error("sandbox: staging folder " + o.staging_dir.string() + " does not exist");
    std::unique_ptr<Sandbox> box(new Sandbox());
    box->staging_dir_ = o.staging_dir;
    box->cgroup_ = make_session_cgroup(o.name);
    // Created first (undone by destroy() on any later failure), so that the
    // warm-up's grace period overlaps the seccomp build, the id range and the clone.
    box->cgroup_->create(o.cgroup);
    CgroupWarmup warmup(box->cgroup_->folders().front() / "cgroup.procs");
    InitConfig config;
    config.hostname = o.name;
    config.argv_area = own_argv_area();
    config.default_filter = build_seccomp_program(FilterVariant::Default);
    if (o.browser_filter) config.browser_filter = build_seccomp_program(FilterVariant::BrowserSandbox);
    config.limits = o.process;
    config.mounts.home_size = o.home_size;
    config.mounts.tmp_size = o.tmp_size;
    config.mounts.app_uid = kAppUid;
    config.mounts.app_gid = kAppGid;

    // 2. Id range (root: a slot of 65536 ids; user: the caller's ids).
    if (geteuid() == 0)
        box->ids_ = reserve_id_range(o.name, o.idmap_lock_dir);
    else {
        enter_own_user_namespace();
        box->ids_.mapping = caller_id_mapping();
    }
    config.ids = box->ids_.mapping;
    const IdMapping& ids = config.ids;

    // 3. Host-side objects init will use: the staging folder (owned by the app user), files.
    if (ids.privileged && chown(o.staging_dir.c_str(), ids.host_uid_of(kAppUid), ids.host_gid_of(kAppGid)) != 0)
        throw_errno("chown of the staging folder " + o.staging_dir.string());
    config.mounts.staging.tree.reset(detached_read_only_tree(o.staging_dir.string()));
    config.mounts.staging.path = o.staging_dir.string();
    config.mounts.files = open_placements(o.files);

    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) throw_errno("creating the init socket");
    box->control_.reset(pair[0]);
    UniqueFd init_end(pair[1]);
    int logs[2];
    if (pipe2(logs, O_CLOEXEC) != 0) throw_errno("creating the sandbox log pipe");
    box->log_.reset(logs[0]);
    UniqueFd log_write(logs[1]);
    config.control_fd = init_end.get();
    config.log_fd = log_write.get();

    // 4. Clone init. It inherits oom_score_adj -1000, so that a memory bomb
    // kills the bomb, not init (apps set theirs back to 0); the supervisor
    // returns to its own value right after.
    std::string old_adj = ids.privileged ? read_oom_score_adj() : "";
    if (!old_adj.empty() && !write_oom_score_adj("-1000")) old_adj.clear();
    int pidfd = -1;
    const pid_t pid = clone_init(&pidfd);
    const int clone_errno = errno;
    if (!old_adj.empty() && pid != 0) write_oom_score_adj(old_adj);
    errno = clone_errno;
    if (pid < 0) throw_errno("cloning the sandbox init (new user, mount, pid, net, ipc, uts namespaces)");
    if (pid == 0) {
        box->control_.reset();
        box->log_.reset();
        run_init(config);
    }
    box->init_pid_ = pid;
    box->pidfd_.reset(pidfd);
    {
        // Now, while init waits for Go and is still dumpable: once it is
        // non-dumpable, an unprivileged supervisor may no longer open its
        // /proc/PID/ns files. The fd also outlives any pid reuse.
        const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
        box->netns_.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!box->netns_) throw_errno("opening the sandbox network namespace " + path);
    }
    init_end.reset();
    log_write.reset();

    // 5. Id maps, cgroup, OOM protection of init; then Go, and wait for Ready.
    write_id_maps(pid, ids);
    box->cgroup_->add_process(pid);
    send_packet(box->control_.get(), MessageWriter(MessageType::Go).bytes());
    const std::int64_t deadline = monotonic_ms() + kReadyTimeoutMs;
    for (;;) {
        pollfd fds[1] = {{box->control_.get(), POLLIN, 0}};
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) throw Error("starting the sandbox: init did not report ready within 20 s");
        if (poll(fds, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw_errno("waiting for the sandbox init");
        if (!fds[0].revents) continue;
        Packet packet;
        if (!receive_packet(box->control_.get(), packet))
            throw Error("starting the sandbox: init exited before it was ready");
        MessageReader r(packet.bytes);
        const MessageType type = r.type();
        if (type == MessageType::Ready) break;
        if (type == MessageType::Failed) throw Error("starting the sandbox: " + r.str());
    }
    return box;
}

Sandbox::~Sandbox() {
    try {
        destroy();
    } catch (...) {
        // destroy() errors were reported by an explicit call; a destructor cannot
    }
}

UniqueFd Sandbox::open_netns() const {
    if (init_exited()) throw Error("opening the sandbox network namespace: init has exited");
    UniqueFd fd(fcntl(netns_.get(), F_DUPFD_CLOEXEC, 3));
    if (!fd) throw_errno("duplicating the sandbox network namespace fd");
    return fd;
}

void Sandbox::terminate() {
    if (!control_) return;
    try {
        send_packet(control_.get(), MessageWriter(MessageType::Terminate).bytes());
    } catch (const Error&) {
        // init already gone: destroy() finishes the job
    }
}

bool Sandbox::init_exited() const {
    if (!pidfd_) return true;
    pollfd p{pidfd_.get(), POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

void Sandbox::destroy() {
    if (destroyed_) return;
    destroyed_ = true;
    if (pidfd_) {
        syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
        siginfo_t info{};
        while (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED) != 0 &&
               errno == EINTR) {
        }
        pidfd_.reset();
    }
    control_.reset();
    netns_.reset();
    if (cgroup_) cgroup_->destroy();
    release_id_range(ids_);
}

}  // namespace deskbox::sandbox
