#include "supervisor/sandbox/cgroups.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/sandbox/cgroup_delegation.h"

namespace deskbox::sandbox {
namespace {

const char* const kControllers[] = {"memory", "pids", "cpu"};

std::vector<pid_t> read_pids(const std::filesystem::path& procs_file) {
    std::vector<pid_t> pids;
    std::ifstream in(procs_file);
    pid_t pid;
    while (in >> pid) pids.push_back(pid);
    return pids;
}

}  // namespace

void write_cgroup_file(const std::filesystem::path& file, const std::string& value) {
    UniqueFd fd(open(file.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC));
    if (!fd) throw_errno("opening " + file.string());
    if (write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        throw_errno("writing '" + value + "' to " + file.string());
}

std::string read_cgroup_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return {};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::uint64_t keyed_value(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string k;
    std::uint64_t v;
    while (in >> k >> v)
        if (k == key) return v;
    return 0;
}

// A cgroup hierarchy as mounted: where, and which of its cgroups is the
// mount's root (mountinfo's 4th field: "/" on a host; a container runtime
// mounts only the container's own cgroup, e.g. "/libpod_parent/libpod-ID",
// while /proc/self/cgroup still names the full path when it shares the host's
// cgroup namespace, as podman does on cgroup v1).
struct CgroupMount {
    std::string point, root;
};

// "/sys/fs/cgroup/pids" + "/a/b" (no trailing slash for the root cgroup "/"),
// the mount's root taken off; empty when `cgroup` lies outside the mounted part.
static std::filesystem::path under(const CgroupMount& mount, const std::string& cgroup) {
    std::string path = cgroup;
    if (mount.root != "/") {
        if (path == mount.root) {
            path = "/";
        } else if (path.starts_with(mount.root + "/")) {
            path = path.substr(mount.root.size());
        } else {
            return {};
        }
    }
    const std::filesystem::path rel = std::filesystem::path(path).relative_path();
    return rel.empty() ? std::filesystem::path(mount.point) : std::filesystem::path(mount.point) / rel;
}

bool empty_cgroup(const std::filesystem::path& procs_file) {
    const std::int64_t deadline = monotonic_ms() + 10'000;
    for (;;) {
        const auto pids = read_pids(procs_file);
        if (pids.empty()) return true;
        if (monotonic_ms() > deadline) return false;
        std::vector<UniqueFd> pidfds;
        std::vector<pollfd> waits;
        for (pid_t pid : pids) {
            UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
            if (!pidfd) continue;  // already gone
            syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
            waits.push_back({pidfd.get(), POLLIN, 0});
            pidfds.push_back(std::move(pidfd));
        }
        // A pidfd polls readable once its process has exited; zombies are
        // reaped by their parent (the sandbox init, itself dying), so re-read.
        if (!waits.empty())
            poll(waits.data(), waits.size(), 100);
        else
            poll(nullptr, 0, 10);
    }
}

CgroupWarmup::CgroupWarmup(const std::filesystem::path& procs_file) {
    const std::string path = procs_file.string();  // prepared before fork: the child only makes system calls
    child_ = fork();
    if (child_ != 0) return;
    const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) [[maybe_unused]]
        auto n = write(fd, "0", 1);
    _exit(0);
}

CgroupWarmup::~CgroupWarmup() {
    if (child_ <= 0) return;
    while (waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

void make_cgroup_dir(const std::filesystem::path& dir) {
    if (mkdir(dir.c_str(), 0755) == 0) return;
    if (errno != EEXIST) throw_errno("creating cgroup " + dir.string());
    // Left by a run that was killed before cleaning up: empty it, reuse it.
    if (!empty_cgroup(dir / "cgroup.procs"))
        throw Error("creating cgroup " + dir.string() + ": a leftover of an earlier run still holds processes");
}

void remove_cgroup_dir(const std::filesystem::path& dir) {
    if (!std::filesystem::exists(dir)) return;
    if (!empty_cgroup(dir / "cgroup.procs"))
        throw Error("removing cgroup " + dir.string() + ": processes did not exit after SIGKILL");
    for (int attempt = 0; rmdir(dir.c_str()) != 0; ++attempt) {
        if (errno == ENOENT) return;
        // EBUSY right after the last task exits: the kernel is still releasing it.
        if (errno != EBUSY || attempt >= 100) throw_errno("removing cgroup " + dir.string());
        poll(nullptr, 0, 10);
    }
}

// ---- cgroup v2 ----

void CgroupV2::create(const CgroupLimits& limits) {
    make_cgroup_dir(dir_);
    write_cgroup_file(dir_ / "memory.max", std::to_string(limits.memory));
    if (std::filesystem::exists(dir_ / "memory.swap.max")) write_cgroup_file(dir_ / "memory.swap.max", "0");
    write_cgroup_file(dir_ / "pids.max", std::to_string(limits.pids));
    const auto quota = static_cast<std::uint64_t>(limits.cpu * 100000.0);
    write_cgroup_file(dir_ / "cpu.max", std::to_string(quota) + " 100000");
}

void CgroupV2::add_process(pid_t pid) {
    write_cgroup_file(dir_ / "cgroup.procs", std::to_string(pid));
}

CgroupEvents CgroupV2::events() const {
    CgroupEvents e;
    const std::string memory = read_cgroup_file(dir_ / "memory.events");
    e.memory_max = keyed_value(memory, "max");
    e.oom_kill = keyed_value(memory, "oom_kill");
    e.pids_max = keyed_value(read_cgroup_file(dir_ / "pids.events"), "max");
    return e;
}

void CgroupV2::destroy() {
    if (!std::filesystem::exists(dir_)) return;
    // cgroup.kill (5.14+) kills atomically, forks in flight included.
    if (std::filesystem::exists(dir_ / "cgroup.kill")) {
        try {
            write_cgroup_file(dir_ / "cgroup.kill", "1");
        } catch (const Error&) {
            // fall back to per-process kills below
        }
    }
    remove_cgroup_dir(dir_);
}

// ---- detection ----

CgroupLayout cgroup_layout(const std::string& mountinfo, const std::string& proc_self_cgroup,
                           const std::string& v2_controllers) {
    CgroupLayout layout;
    // Mount points: v2 (fstype cgroup2) and v1 per controller (super options name the controllers).
    CgroupMount v2_mount;
    std::map<std::string, CgroupMount> v1_mounts;
    std::istringstream mi(mountinfo);
    for (std::string line; std::getline(mi, line);) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream left(line.substr(0, dash)), right(line.substr(dash + 3));
        std::string id, parent, devno, root, mount_point, fstype, source, options;
        left >> id >> parent >> devno >> root >> mount_point;
        right >> fstype >> source >> options;
        if (fstype == "cgroup2" && v2_mount.point.empty()) v2_mount = {mount_point, root};
        if (fstype != "cgroup") continue;
        std::istringstream opts(options);
        for (std::string opt; std::getline(opts, opt, ',');)
            for (const char* c : kControllers)
                if (opt == c && !v1_mounts.count(c)) v1_mounts[c] = {mount_point, root};
    }
    // Our own cgroup per hierarchy: "0::/path" for v2, "N:ctrl,ctrl:/path" for v1.
    std::string v2_path;
    std::map<std::string, std::string> v1_paths;
    std::istringstream pc(proc_self_cgroup);
    for (std::string line; std::getline(pc, line);) {
        const auto c1 = line.find(':'), c2 = line.find(':', c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos) continue;
        const std::string ctrls = line.substr(c1 + 1, c2 - c1 - 1), path = line.substr(c2 + 1);
        if (ctrls.empty()) v2_path = path;
        std::istringstream cs(ctrls);
        for (std::string c; std::getline(cs, c, ',');) v1_paths[c] = path;
    }
    bool v2_ok = !v2_mount.point.empty() && !under(v2_mount, v2_path).empty();
    for (const char* c : kControllers)
        if ((" " + v2_controllers + " ").find(std::string(" ") + c + " ") == std::string::npos &&
            (" " + v2_controllers + "\n").find(std::string(" ") + c + "\n") == std::string::npos)
            v2_ok = false;
    if (v2_ok) {
        layout.version = "v2";
        layout.v2_parent = under(v2_mount, v2_path);
        layout.v2_mount = v2_mount.point;
        return layout;
    }
    std::string missing;
    for (const char* c : kControllers) {
        const std::filesystem::path parent =
            v1_mounts.count(c) && v1_paths.count(c) ? under(v1_mounts[c], v1_paths[c]) : std::filesystem::path();
        if (parent.empty()) {
            missing += missing.empty() ? c : std::string(", ") + c;
            continue;
        }
        layout.v1_parents[c] = parent;
    }
    if (missing.empty()) {
        layout.version = "v1";
        return layout;
    }
    layout.v1_parents.clear();
    layout.problem = "no cgroup v2 hierarchy with memory, pids and cpu delegated to us, and cgroup v1 lacks " + missing;
    return layout;
}

std::unique_ptr<SessionCgroup> make_session_cgroup(const std::string& session_name) {
    const std::string mountinfo = read_cgroup_file("/proc/self/mountinfo");
    const std::string self = read_cgroup_file("/proc/self/cgroup");
    // The v2 controllers our cgroup offers to its children.
    std::string controllers;
    {
        CgroupLayout probe = cgroup_layout(mountinfo, self, "memory pids cpu");
        if (probe.version == "v2") controllers = read_cgroup_file(probe.v2_parent / "cgroup.controllers");
    }
    CgroupLayout layout = cgroup_layout(mountinfo, self, controllers);
    const std::string leaf = "deskbox-" + session_name;
    const bool root = geteuid() == 0;
    if (layout.version == "v2") {
        // An ordinary user needs its own cgroup delegated (checked before any change).
        const std::string problem = v2_delegation_problem(layout.v2_parent, root, writable_by_caller);
        if (!problem.empty()) throw Error(no_delegation_error(geteuid(), "v2", problem));
        prepare_v2_parent(layout.v2_parent, layout.v2_parent == layout.v2_mount, {"memory", "pids", "cpu"});
        return std::make_unique<CgroupV2>(layout.v2_parent / leaf);
    }
    if (layout.version == "v1") {
        const std::string problem = v1_delegation_problem(layout.v1_parents, root, writable_by_caller);
        if (!problem.empty()) throw Error(no_delegation_error(geteuid(), "v1", problem));
        std::map<std::string, std::filesystem::path> dirs;
        for (const auto& [c, parent] : layout.v1_parents) dirs[c] = parent / leaf;
        return std::make_unique<CgroupV1>(std::move(dirs));
    }
    throw Error("setting up session cgroups: " + layout.problem);
}

}  // namespace deskbox::sandbox
