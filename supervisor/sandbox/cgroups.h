// Per-session resource limits through cgroups: memory (swap off), pids and a
// cpu quota, with the limit events made visible for status.
//
// cgroup v2 is used when the supervisor's own cgroup offers the memory, pids
// and cpu controllers (a delegated subtree, e.g. systemd Delegate=yes);
// otherwise cgroup v1 with one folder per controller hierarchy. In both cases
// the session cgroup is a child of the supervisor's own cgroup (never the
// hierarchy root), named "deskbox-NAME".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace deskbox::sandbox {

struct CgroupLimits {
    std::uint64_t memory = 2ull << 30;  // bytes
    std::uint32_t pids = 512;
    double cpu = 1.0;  // cores
};

struct CgroupEvents {
    std::uint64_t memory_max = 0;  // v2 memory.events "max"; v1 memory.failcnt
    std::uint64_t oom_kill = 0;    // v2 memory.events "oom_kill"; v1 memory.oom_control "oom_kill"
    std::uint64_t pids_max = 0;    // pids.events "max" (both versions)
};

class SessionCgroup {
public:
    virtual ~SessionCgroup() = default;
    virtual const char* version() const = 0;  // "v1" or "v2"
    // Creates the folders and writes the limits. A leftover folder of a
    // previous run of the same session (killed before it could clean up) is
    // emptied and reused.
    virtual void create(const CgroupLimits& limits) = 0;
    virtual void add_process(pid_t pid) = 0;
    virtual CgroupEvents events() const = 0;
    // SIGKILLs whatever is still inside, waits until it is empty (bounded), then removes the folders.
    virtual void destroy() = 0;
    virtual std::vector<std::filesystem::path> folders() const = 0;
};

// cgroup v2: one folder `dir` (its parent must offer the controllers).
class CgroupV2 : public SessionCgroup {
public:
    explicit CgroupV2(std::filesystem::path dir) : dir_(std::move(dir)) {}
    const char* version() const override { return "v2"; }
    void create(const CgroupLimits& limits) override;
    void add_process(pid_t pid) override;
    CgroupEvents events() const override;
    void destroy() override;
    std::vector<std::filesystem::path> folders() const override { return {dir_}; }

private:
    std::filesystem::path dir_;
};

// cgroup v1: one folder per controller ("memory", "pids", "cpu").
class CgroupV1 : public SessionCgroup {
public:
    explicit CgroupV1(std::map<std::string, std::filesystem::path> dirs) : dirs_(std::move(dirs)) {}
    const char* version() const override { return "v1"; }
    void create(const CgroupLimits& limits) override;
    void add_process(pid_t pid) override;
    CgroupEvents events() const override;
    void destroy() override;
    std::vector<std::filesystem::path> folders() const override;

private:
    std::map<std::string, std::filesystem::path> dirs_;
};

// Where the session's cgroup would go, from the texts of /proc/self/mountinfo
// and /proc/self/cgroup (pure, for tests). `v2_controllers` is the content of
// the supervisor's v2 cgroup.controllers ("" when there is none).
struct CgroupLayout {
    std::string version;  // "v2", "v1", or "" when neither is usable
    std::filesystem::path v2_parent;
    std::filesystem::path v2_mount;  // the hierarchy root (exempt from "no internal processes")
    std::map<std::string, std::filesystem::path> v1_parents;  // controller -> supervisor's folder
    std::string problem;                                      // why neither is usable
};
CgroupLayout cgroup_layout(const std::string& mountinfo, const std::string& proc_self_cgroup,
                           const std::string& v2_controllers);

// Detects the layout on this machine and returns the session cgroup (not yet
// created). Throws when neither v2 with controllers nor v1 with memory, pids
// and cpu is available, or when an ordinary user has no delegated cgroup
// (cgroup_delegation.h; before any change). On v2 the supervisor first moves
// itself into PARENT/supervisor and enables the controllers in PARENT.
std::unique_ptr<SessionCgroup> make_session_cgroup(const std::string& session_name);

// The kernel's first cgroup migration after a quiet moment waits for an RCU
// grace period (the global cgroup_threadgroup_rwsem; 5-15 ms on this machine):
// the cost of moving init into the session cgroup. A child that migrates
// itself into `procs_file` ("0" = the writer) takes that wait in parallel with
// the supervisor's own work; init's attach shortly after then finds the grace
// period passed. The destructor reaps the child. Best effort: a failed fork
// or write only loses the head start.
class CgroupWarmup {
public:
    explicit CgroupWarmup(const std::filesystem::path& procs_file);
    ~CgroupWarmup();
    CgroupWarmup(const CgroupWarmup&) = delete;
    CgroupWarmup& operator=(const CgroupWarmup&) = delete;

private:
    pid_t child_ = -1;
};

// Shared helpers (also used by tests).
void write_cgroup_file(const std::filesystem::path& file, const std::string& value);
std::string read_cgroup_file(const std::filesystem::path& file);
// "key value" lines (memory.events, pids.events, memory.oom_control): value of key, 0 if absent.
std::uint64_t keyed_value(const std::string& text, const std::string& key);
// Kills every pid listed in `procs_file` and waits until the file lists none
// (or the deadline passes). Returns false on timeout.
bool empty_cgroup(const std::filesystem::path& procs_file);
// mkdir; a leftover of a killed earlier run of the session is emptied and reused.
void make_cgroup_dir(const std::filesystem::path& dir);
// Empties (SIGKILL) and removes the folder; nothing to do when it is absent.
void remove_cgroup_dir(const std::filesystem::path& dir);

}  // namespace deskbox::sandbox
