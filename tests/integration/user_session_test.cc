// A real session started by an ordinary user. Root plays systemd: it makes a
// cgroup per controller (v1) or a v2 cgroup, chowns it to an unprivileged
// test uid the way Delegate=yes does, and starts `deskbox run` as that uid
// inside it. The session's processes must then run in a session cgroup below
// the delegated one, with the manifest's limits, as the user's own host uid;
// and without delegation deskbox must refuse with an error that names the fix.
// The user also watches such a session over VNC as a reviewer.
#define BOOST_TEST_MODULE deskbox user session integration
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "supervisor/sandbox/cgroup_delegation.h"
#include "supervisor/sandbox/cgroups.h"
#include "tests/integration/session_harness.h"

using namespace deskbox::test;
namespace fs = std::filesystem;
namespace sb = deskbox::sandbox;

namespace {

// No account needed: deskbox works from numeric ids. Below the id-range slots.
const uid_t kUser = 61000 + static_cast<uid_t>(getpid() % 500);

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

uid_t host_uid_of(pid_t pid) {
    struct stat st {};
    if (stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0) return static_cast<uid_t>(-1);
    return st.st_uid;
}

// The delegated cgroups: one folder per controller (v1) or one v2 folder
// under the hierarchy root, owned by the user like systemd's delegation.
struct Delegation {
    std::string version;
    std::vector<fs::path> dirs;

    Delegation() {
        const sb::CgroupLayout probe = sb::cgroup_layout(slurp("/proc/self/mountinfo") + "\n",
                                                         slurp("/proc/self/cgroup") + "\n", "memory pids cpu");
        const std::string name = "deskbox-it-delegated-" + std::to_string(getpid());
        std::string controllers;
        if (probe.version == "v2") controllers = slurp(probe.v2_mount / "cgroup.controllers");
        const sb::CgroupLayout layout =
            sb::cgroup_layout(slurp("/proc/self/mountinfo") + "\n", slurp("/proc/self/cgroup") + "\n", controllers);
        version = layout.version;
        BOOST_REQUIRE_MESSAGE(!version.empty(), "no usable cgroup hierarchy: " << layout.problem);
        if (version == "v2") {
            sb::write_cgroup_file(layout.v2_mount / "cgroup.subtree_control", "+memory +pids +cpu");
            dirs.push_back(layout.v2_mount / name);
        } else {
            for (const auto& [controller, parent] : layout.v1_parents) dirs.push_back(parent / name);
        }
        for (const auto& d : dirs) {
            fs::create_directory(d);
            for (const char* f : {"", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "tasks"})
                if (fs::exists(d / f)) BOOST_REQUIRE(chown((d / f).c_str(), kUser, kUser) == 0);
        }
    }
    ~Delegation() {
        for (const auto& d : dirs) {
            rmdir((d / sb::kSupervisorLeaf).c_str());
            rmdir(d.c_str());
        }
    }
};

// `deskbox run MANIFEST` as kUser, first moved into `join` (as root), its stderr captured.
class UserSession {
public:
    UserSession(const TestDirs& dirs, const fs::path& manifest, const std::vector<fs::path>& join) {
        int fds[2];
        BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
        const std::string bin = deskbox_bin();
        std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin",
                                        "XDG_RUNTIME_DIR=" + dirs.runtime().string(),
                                        "DESKBOX_RUNTIME_DIR=" + dirs.runtime().string(),
                                        "DESKBOX_STATE_DIR=" + dirs.state().string(), "LANG=C.UTF-8"};
        std::vector<std::string> procs;
        for (const auto& d : join) procs.push_back((d / "cgroup.procs").string());
        // Everything the child needs, made before fork.
        std::vector<char*> cenv;
        for (auto& e : env) cenv.push_back(e.data());
        cenv.push_back(nullptr);
        const std::string manifest_path = manifest.string();
        const char* argv[] = {bin.c_str(), "run", manifest_path.c_str(), nullptr};
        pid_ = fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            dup2(fds[1], 2);
            const int null = open("/dev/null", O_RDONLY);
            dup2(null, 0);
            char self[16];
            const int len = snprintf(self, sizeof self, "%d", getpid());
            for (const auto& p : procs) {
                const int fd = open(p.c_str(), O_WRONLY);
                if (fd < 0 || write(fd, self, static_cast<std::size_t>(len)) != len) _exit(120);
                close(fd);
            }
            if (setgroups(0, nullptr) != 0 || setresgid(kUser, kUser, kUser) != 0 ||
                setresuid(kUser, kUser, kUser) != 0)
                _exit(121);
            execve(argv[0], const_cast<char* const*>(argv), cenv.data());
            _exit(127);
        }
        close(fds[1]);
        err_ = fds[0];
        pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    }
    ~UserSession() {
        if (!exited_) {
            kill(pid_, SIGTERM);
            if (wait_exit(20'000) < 0) {
                kill(pid_, SIGKILL);
                waitpid(pid_, nullptr, 0);
            }
        }
        close(err_);
        close(pidfd_);
    }
    bool wait_for(const std::string& needle, int timeout_ms = 60'000) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (output_.find(needle) == std::string::npos) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !read_some(static_cast<int>(left.count())))
                return output_.find(needle) != std::string::npos;
        }
        return true;
    }
    int wait_exit(int timeout_ms = 30'000) {
        if (exited_) return code_;
        pollfd p{pidfd_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return -1;
        while (read_some(100)) {
        }
        int status = 0;
        waitpid(pid_, &status, 0);
        exited_ = true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return code_;
    }
    void signal(int signo) { kill(pid_, signo); }
    const std::string& output() const { return output_; }

private:
    bool read_some(int timeout_ms) {
        pollfd p{err_, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return false;
        char buf[4096];
        const ssize_t n = read(err_, buf, sizeof buf);
        if (n <= 0) return false;
        output_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    pid_t pid_ = -1;
    int err_ = -1, pidfd_ = -1;
    bool exited_ = false;
    int code_ = -1;
    std::string output_;
};

// The test folders belong to the user (its runtime dir is 0700, its own).
void give_to_user(const TestDirs& dirs) {
    for (const auto& p : {dirs.root(), dirs.runtime(), dirs.state()})
        BOOST_REQUIRE(chown(p.c_str(), kUser, kUser) == 0);
    BOOST_REQUIRE(chmod(dirs.runtime().c_str(), 0700) == 0);
}

const char* kManifest =
    "version: 1\nsession: {name: it-user}\n"
    "sandbox: {memory: 256M, pids: 64, cpu: 0.5, home_size: 16M, tmp_size: 16M}\nnetwork: {mode: none}\n"
    "apps:\n  - {name: holder, exec: [sh, -c, 'echo USER-APP-UP; exec sleep infinity']}\n";

}  // namespace

BOOST_AUTO_TEST_CASE(delegated_user_session_runs_under_the_delegated_cgroup_with_limits) {
    if (!require_root()) return;
    TestDirs dirs;
    give_to_user(dirs);
    const auto manifest = dirs.manifest("user", kManifest);
    BOOST_REQUIRE(chown(manifest.c_str(), kUser, kUser) == 0);
    Delegation delegation;
    UserSession session(dirs, manifest, delegation.dirs);
    BOOST_REQUIRE_MESSAGE(session.wait_for("USER-APP-UP") && session.wait_for("ready on display"), session.output());

    const auto status = session_status(dirs, "it-user");
    BOOST_TEST(status["state"] == "running");
    BOOST_TEST(status["sandbox"]["cgroup"]["version"] == delegation.version);
    const auto paths = status["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
    BOOST_REQUIRE(paths.size() == delegation.dirs.size());
    for (const auto& p : paths) {
        // Every session folder is a child of a delegated one.
        bool below = false;
        for (const auto& d : delegation.dirs) below = below || fs::path(p).parent_path() == d;
        BOOST_TEST(below, p);
        BOOST_TEST(fs::path(p).filename() == "deskbox-it-user");
    }
    // The limits of the manifest are written in the session's folders.
    for (const auto& p : paths) {
        const fs::path dir(p);
        if (delegation.version == "v2") {
            BOOST_TEST(slurp(dir / "memory.max") == std::to_string(256u << 20));
            BOOST_TEST(slurp(dir / "pids.max") == "64");
            BOOST_TEST(slurp(dir / "cpu.max") == "50000 100000");
        } else if (fs::exists(dir / "memory.limit_in_bytes")) {
            BOOST_TEST(slurp(dir / "memory.limit_in_bytes") == std::to_string(256u << 20));
        } else if (fs::exists(dir / "pids.max")) {
            BOOST_TEST(slurp(dir / "pids.max") == "64");
        } else {
            BOOST_TEST(slurp(dir / "cpu.cfs_quota_us") == "50000");
        }
    }
    // The sandbox's processes (init, Xvfb, the app...) are there, as the user's own host uid.
    const auto pids = cgroup_pids(status);
    BOOST_TEST(pids.size() >= 3u);
    for (pid_t pid : pids) BOOST_TEST(host_uid_of(pid) == kUser, "pid " << pid);
    if (delegation.version == "v2") {
        // The supervisor left the delegated cgroup for its leaf beside the session.
        BOOST_TEST(slurp(delegation.dirs[0] / "cgroup.procs").empty());
        BOOST_TEST(fs::exists(delegation.dirs[0] / sb::kSupervisorLeaf));
    }

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit() == 0, session.output());
    BOOST_TEST(wait_pids_gone(pids, 5'000));
    BOOST_TEST(leftovers(dirs, "it-user", paths).empty());
}

// The supervisor of an ordinary user runs in a user namespace of its own
// (supervisor/sandbox/userns.cc) that owns the sandbox's, so its VNC
// forwarder can join the session's network namespace: the user, as a
// reviewer, watches the default manifest's app through both endpoints.
BOOST_AUTO_TEST_CASE(the_user_watches_the_session_over_vnc) {
    if (!require_root()) return;
    TestDirs dirs;
    give_to_user(dirs);
    const std::string name = "it-user-vnc";
    const auto manifest = dirs.manifest(name, default_manifest_yaml(name));
    BOOST_REQUIRE(chown(manifest.c_str(), kUser, kUser) == 0);
    Delegation delegation;
    UserSession session(dirs, manifest, delegation.dirs);
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());

    const auto [code, out] = run_command({vnc_check_bin(), (dirs.runtime() / name / "status.json").string()}, kUser);
    BOOST_TEST_MESSAGE(out);
    BOOST_TEST(code == 0, out);
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit() == 0, session.output());
    BOOST_TEST(session.output().find("VNC connection dropped") == std::string::npos, session.output());
}

BOOST_AUTO_TEST_CASE(user_without_delegation_is_refused_with_the_fix) {
    if (!require_root()) return;
    TestDirs dirs;
    give_to_user(dirs);
    const auto manifest = dirs.manifest("user", kManifest);
    BOOST_REQUIRE(chown(manifest.c_str(), kUser, kUser) == 0);
    // The user stays in root's cgroups, which it may not write.
    UserSession session(dirs, manifest, {});
    BOOST_TEST(session.wait_exit() == 1, session.output());
    const std::string& out = session.output();
    BOOST_TEST(
        out.find("setting up session cgroups: deskbox runs as uid " + std::to_string(kUser)) != std::string::npos, out);
    BOOST_TEST(out.find("not delegated") != std::string::npos, out);
    BOOST_TEST(out.find("systemd-run --user --scope -p Delegate=yes deskbox run") != std::string::npos, out);
    // Refused before anything was started: no sandbox, no session left.
    BOOST_TEST(out.find("USER-APP-UP") == std::string::npos, out);
    BOOST_TEST(leftovers(dirs, "it-user", {}).empty());
}
