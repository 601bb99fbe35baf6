// Helpers for tests that run real sessions: start `deskbox run` as a child
// with its stderr captured, wait for lines it prints (never sleeps: poll on
// the pipe with a timeout), read status.json, and check that nothing of a
// session remains. Sessions get a private DESKBOX_RUNTIME_DIR and
// DESKBOX_STATE_DIR under a temp folder.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deskbox::test {

// Root is needed for real sessions. Returns false (after a test message)
// when the test should be skipped; fails the test when DESKBOX_MUST_WORK=1.
bool require_root();

class TestDirs {
public:
    TestDirs();
    ~TestDirs();
    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path runtime() const { return root_ / "run"; }
    std::filesystem::path state() const { return root_ / "state"; }
    // Writes a manifest file and returns its path.
    std::filesystem::path manifest(const std::string& name, const std::string& yaml) const;

private:
    std::filesystem::path root_;
};

// manifests/default.yaml of the source tree as session `name`: its policy
// path made absolute, review.takeover as given.
std::string default_manifest_yaml(const std::string& name, bool takeover = false);

// A session of one zenity entry dialog titled `name` (1024x768, no VNC)
// under the policy file `policy`; `session_extra` goes into the session map
// (", budget: {actions_per_second: 100}").
std::string entry_manifest_yaml(const std::string& name, const std::filesystem::path& policy,
                                const std::string& session_extra = "");

// Path of the deskbox binary and of the probe (built by meson).
std::string deskbox_bin();
std::string probe_bin();

// `deskbox ARGS...` as a long-running child (a service such as `deskbox console`).
struct DeskboxArgs {
    std::vector<std::string> args;
};

class SessionProcess {
public:
    SessionProcess(const TestDirs& dirs, const std::filesystem::path& manifest,
                   const std::vector<std::string>& extra_env = {});
    // Any deskbox command, its stderr captured the same way.
    SessionProcess(const TestDirs& dirs, const DeskboxArgs& command, const std::vector<std::string>& extra_env = {});
    ~SessionProcess();
    // Reads stderr until `needle` appears (true) or the timeout / end of output (false).
    bool wait_for(const std::string& needle, int timeout_ms = 30'000);
    // Waits for the exit and returns the exit code (or 128+signal); reads the rest of the output.
    int wait_exit(int timeout_ms = 30'000);
    void signal(int signo);
    pid_t pid() const { return pid_; }
    const std::string& output() const { return output_; }

private:
    void start(const TestDirs& dirs, const std::vector<std::string>& argv, const std::vector<std::string>& extra_env);
    bool read_some(int timeout_ms);
    pid_t pid_ = -1;
    int err_fd_ = -1;
    int pidfd_ = -1;
    bool exited_ = false;
    int exit_code_ = -1;
    std::string output_;
};

// Reads a child's output pipe `out_fd` to its end (and closes it), then
// reaps the child; returns (exit code or -1 after a signal, output).
std::pair<int, std::string> finish_child(pid_t pid, int out_fd);
// Runs ARGV (PATH searched) as `uid` (and its gid), stdout and stderr
// captured together; returns (exit code or -1 after a signal, output).
std::pair<int, std::string> run_command(const std::vector<std::string>& argv, uid_t uid = 0);
// The reviewer-view checker (tests/integration/vnc_check.cc), built by meson.
std::string vnc_check_bin();

// Runs `deskbox ARGS...` with the test dirs; returns (exit code, stdout).
std::pair<int, std::string> run_deskbox(const TestDirs& dirs, const std::vector<std::string>& args);
// Starts `deskbox ARGS...` without waiting: its stdout is *out_fd (finish_child collects both).
pid_t start_deskbox(const TestDirs& dirs, const std::vector<std::string>& args, int* out_fd);
nlohmann::json session_status(const TestDirs& dirs, const std::string& name);

// Host pids in the session's cgroup (its pids controller folder).
std::vector<pid_t> cgroup_pids(const nlohmann::json& status);
// Waits until every pid has exited (pidfd), at most timeout_ms. Returns false on timeout.
bool wait_pids_gone(const std::vector<pid_t>& pids, int timeout_ms = 15'000);
// Waits until nobody holds the lock file any more (flock with an alarm). True when free or absent.
bool wait_lock_free(const std::filesystem::path& lock, int timeout_s = 15);
// What is left of a session: empty when nothing (session dir, lock, cgroup folders, mounts).
std::vector<std::string> leftovers(const TestDirs& dirs, const std::string& name,
                                   const std::vector<std::string>& cgroup_paths);

}  // namespace deskbox::test
