#include "tests/integration/session_harness.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace deskbox::test {
namespace {

std::vector<std::string> session_env(const TestDirs& dirs, const std::vector<std::string>& extra) {
    std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                                    "DESKBOX_RUNTIME_DIR=" + dirs.runtime().string(),
                                    "DESKBOX_STATE_DIR=" + dirs.state().string(),
                                    "DESKBOX_TOKEN_DIR=" + (dirs.root() / "tokens").string(), "LANG=C.UTF-8"};
    // A sanitizer build's options reach the supervisor too (tests/sanitizers/sessions.sh sets them).
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
        if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

[[noreturn]] void exec_with(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    execve(a[0], a.data(), e.data());
    _exit(127);
}

void on_alarm(int) {}

}  // namespace

bool require_root() {
    if (geteuid() == 0) return true;
    const char* must = std::getenv("DESKBOX_MUST_WORK");
    if (must && std::string(must) == "1") BOOST_FAIL("real sessions need root here (DESKBOX_MUST_WORK=1)");
    BOOST_TEST_MESSAGE("skipped: real sessions need root");
    return false;
}

TestDirs::TestDirs() {
    char tmpl[] = "/tmp/deskbox-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
    root_ = tmpl;
    std::filesystem::create_directories(runtime());
    std::filesystem::create_directories(state());
}

TestDirs::~TestDirs() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
}

std::filesystem::path TestDirs::manifest(const std::string& name, const std::string& yaml) const {
    const auto path = root_ / (name + ".yaml");
    std::ofstream(path) << yaml;
    return path;
}

namespace {

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "manifests/default.yaml no longer has '" << from << "'");
    return text.replace(at, from.size(), to);
}

}  // namespace

std::string default_manifest_yaml(const std::string& name, bool takeover) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    std::ifstream in(std::filesystem::path(root) / "manifests" / "default.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string yaml = replace_once(ss.str(), "  name: default\n", "  name: " + name + "\n");
    yaml = replace_once(yaml, "policy: ../policy/", "policy: " + std::string(root) + "/policy/");
    if (takeover) yaml = replace_once(yaml, "view_only: true}\n", "view_only: true}\n  takeover: true\n");
    return yaml;
}

std::string entry_manifest_yaml(const std::string& name, const std::filesystem::path& policy,
                                const std::string& session_extra) {
    return "session: {name: " + name + ", display: {width: 1024, height: 768}" + session_extra +
           "}\n"
           "sandbox: {memory: 1G, pids: 256}\n"
           "apps:\n"
           "  - name: entry\n"
           "    exec: [zenity, --entry, --title, " +
           name +
           ", --text, 'Type here']\n"
           "    ready: {title: " +
           name +
           ", timeout: 60s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

std::string deskbox_bin() {
    const char* bin = std::getenv("DESKBOX_BIN");
    BOOST_REQUIRE_MESSAGE(bin, "DESKBOX_BIN is not set (run through meson test)");
    return bin;
}

std::string probe_bin() {
    const char* root = std::getenv("DESKBOX_BUILD_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_BUILD_ROOT is not set (run through meson test)");
    return std::string(root) + "/tests/security/deskbox-probe";
}

SessionProcess::SessionProcess(const TestDirs& dirs, const std::filesystem::path& manifest,
                               const std::vector<std::string>& extra_env) {
    start(dirs, {deskbox_bin(), "run", manifest.string()}, extra_env);
}

SessionProcess::SessionProcess(const TestDirs& dirs, const DeskboxArgs& command,
                               const std::vector<std::string>& extra_env) {
    std::vector<std::string> argv = {deskbox_bin()};
    argv.insert(argv.end(), command.args.begin(), command.args.end());
    start(dirs, argv, extra_env);
}

void SessionProcess::start(const TestDirs& dirs, const std::vector<std::string>& argv,
                           const std::vector<std::string>& extra_env) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    const auto env = session_env(dirs, extra_env);
    pid_ = fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        dup2(fds[1], 2);
        const int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        exec_with(argv, env);
    }
    close(fds[1]);
    err_fd_ = fds[0];
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
}

SessionProcess::~SessionProcess() {
    if (!exited_) {
        kill(pid_, SIGTERM);
        if (wait_exit(20'000) < 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    if (err_fd_ >= 0) close(err_fd_);
    if (pidfd_ >= 0) close(pidfd_);
}

bool SessionProcess::read_some(int timeout_ms) {
    pollfd p{err_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = read(err_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    output_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool SessionProcess::wait_for(const std::string& needle, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (output_.find(needle) == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !read_some(static_cast<int>(left.count())))
            return output_.find(needle) != std::string::npos;
    }
    return true;
}

int SessionProcess::wait_exit(int timeout_ms) {
    if (exited_) return exit_code_;
    pollfd p{pidfd_, POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return -1;
        read_some(0);
        if (poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200))) > 0) break;
    }
    while (read_some(100)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
}

void SessionProcess::signal(int signo) {
    kill(pid_, signo);
}

std::pair<int, std::string> finish_child(pid_t pid, int out_fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(out_fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(out_fd);
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::pair<int, std::string> run_command(const std::vector<std::string>& argv, uid_t uid) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        if (uid != 0 && (setgroups(0, nullptr) != 0 || setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0))
            _exit(121);
        execvp(a[0], a.data());
        _exit(127);
    }
    close(fds[1]);
    return finish_child(pid, fds[0]);
}

std::string vnc_check_bin() {
    const char* root = std::getenv("DESKBOX_BUILD_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_BUILD_ROOT is not set (run through meson test)");
    return std::string(root) + "/tests/integration/deskbox-vnc-check";
}

pid_t start_deskbox(const TestDirs& dirs, const std::vector<std::string>& args, int* out_fd) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    std::vector<std::string> argv = {deskbox_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto env = session_env(dirs, {});
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        exec_with(argv, env);
    }
    close(fds[1]);
    *out_fd = fds[0];
    return pid;
}

std::pair<int, std::string> run_deskbox(const TestDirs& dirs, const std::vector<std::string>& args) {
    int out_fd = -1;
    const pid_t pid = start_deskbox(dirs, args, &out_fd);
    return finish_child(pid, out_fd);
}

nlohmann::json session_status(const TestDirs& dirs, const std::string& name) {
    auto [code, out] = run_deskbox(dirs, {"status", "-s", name, "--json"});
    BOOST_REQUIRE_MESSAGE(code == 0, "deskbox status -s " << name << " failed with " << code);
    return nlohmann::json::parse(out);
}

std::vector<pid_t> cgroup_pids(const nlohmann::json& status) {
    std::vector<pid_t> pids;
    for (const auto& path : status["sandbox"]["cgroup"]["paths"]) {
        const std::string p = path.get<std::string>();
        if (p.find("pids") == std::string::npos && status["sandbox"]["cgroup"]["version"] == "v1") continue;
        std::ifstream in(p + "/cgroup.procs");
        pid_t pid;
        while (in >> pid) pids.push_back(pid);
    }
    return pids;
}

bool wait_pids_gone(const std::vector<pid_t>& pids, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (pid_t pid : pids) {
        const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
        if (fd < 0) continue;  // already gone
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        const int rc = poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        close(fd);
        if (rc <= 0) return false;
    }
    return true;
}

bool wait_lock_free(const std::filesystem::path& lock, int timeout_s) {
    const int fd = open(lock.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;
    struct sigaction sa {
    }, old{};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, &old);
    alarm(static_cast<unsigned>(timeout_s));
    const int rc = flock(fd, LOCK_SH);
    alarm(0);
    sigaction(SIGALRM, &old, nullptr);
    close(fd);
    return rc == 0;
}

std::vector<std::string> leftovers(const TestDirs& dirs, const std::string& name,
                                   const std::vector<std::string>& cgroup_paths) {
    std::vector<std::string> left;
    for (const auto& p : {dirs.runtime() / name, dirs.runtime() / (name + ".lock")})
        if (std::filesystem::exists(p)) left.push_back(p.string());
    for (const auto& p : cgroup_paths)
        if (std::filesystem::exists(p)) left.push_back(p);
    std::ifstream mounts("/proc/self/mountinfo");
    for (std::string line; std::getline(mounts, line);)
        if (line.find(dirs.root().string()) != std::string::npos) left.push_back("mount: " + line);
    return left;
}

}  // namespace deskbox::test
