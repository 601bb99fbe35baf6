// status.json: what `deskbox status` shows. Written atomically (temp file +
// rename) whenever something changes: session state, app exits and restarts,
// cgroup limit events.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deskbox {

struct AppStatus {
    std::string name;
    std::string state = "starting";  // starting | running | restarting | exited | failed
    int pid = 0;                     // pid inside the sandbox
    std::uint32_t restarts = 0;
    std::string last_exit;  // "exited with status 1"
};

struct SessionStatus {
    std::string name;
    std::string state = "starting";  // starting | running | stopping | ended | failed
    std::string reason;              // why it stopped
    int supervisor_pid = 0;
    int init_pid = 0;                      // host pid of the sandbox init
    std::int64_t started_at = 0;           // unix seconds
    std::int64_t wall_clock_deadline = 0;  // unix seconds, 0: none
    std::uint32_t host_uid_base = 0;
    std::string cgroup_version;
    std::vector<std::string> cgroup_paths;
    std::uint64_t memory_limit = 0;
    std::uint32_t pids_limit = 0;
    double cpu_limit = 0;
    std::uint64_t memory_max_events = 0;
    std::uint64_t oom_kills = 0;
    std::uint64_t pids_max_events = 0;
    std::string display;        // ":0" once Xvfb runs
    std::string vnc;            // how a reviewer connects (empty: no VNC)
    std::string agent_socket;   // agent.sock path once it listens
    std::string review_socket;  // review.sock path once it listens
    nlohmann::json gate;        // the gate's status: taint and cause, paused, pending approvals, budget use
    std::vector<AppStatus> apps;
};

nlohmann::json status_to_json(const SessionStatus& status);
// Writes `status` to `file` atomically.
// Atomically (write + rename). Mode 0600, or root:group 0640 when `group` is
// set (the agent group may read it; session_access.h).
void write_status_file(const std::filesystem::path& file, const SessionStatus& status,
                       std::optional<gid_t> group = std::nullopt);
// A readable rendering of a status.json document (tolerates missing fields).
std::string format_status(const nlohmann::json& status);

}  // namespace deskbox
