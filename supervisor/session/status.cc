#include "supervisor/session/status.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/base/units.h"

namespace deskbox {

nlohmann::json status_to_json(const SessionStatus& s) {
    nlohmann::json apps = nlohmann::json::array();
    for (const auto& a : s.apps)
        apps.push_back({{"name", a.name},
                        {"state", a.state},
                        {"pid", a.pid},
                        {"restarts", a.restarts},
                        {"last_exit", a.last_exit}});
    return {
        {"name", s.name},
        {"state", s.state},
        {"reason", s.reason},
        {"supervisor_pid", s.supervisor_pid},
        {"started_at", s.started_at},
        {"updated_at", static_cast<std::int64_t>(std::time(nullptr))},
        {"wall_clock_deadline", s.wall_clock_deadline},
        {"display", s.display},
        {"vnc", s.vnc},
        {"agent_socket", s.agent_socket},
        {"review_socket", s.review_socket},
        {"gate", s.gate.is_null() ? nlohmann::json::object() : s.gate},
        {"sandbox",
         {{"init_pid", s.init_pid},
          {"host_uid_base", s.host_uid_base},
          {"cgroup", {{"version", s.cgroup_version}, {"paths", s.cgroup_paths}}},
          {"limits", {{"memory", s.memory_limit}, {"pids", s.pids_limit}, {"cpu", s.cpu_limit}}},
          {"events",
           {{"memory_max", s.memory_max_events}, {"oom_kill", s.oom_kills}, {"pids_max", s.pids_max_events}}}}},
        {"apps", apps},
    };
}

void write_status_file(const std::filesystem::path& file, const SessionStatus& status, std::optional<gid_t> group) {
    const std::string text = status_to_json(status).dump(2) + "\n";
    const std::filesystem::path tmp = file.string() + ".tmp";
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw_errno("writing " + tmp.string());
    // Group and mode on the fd before the rename: the file is never readable by more than intended.
    if (group && (fchown(fd.get(), geteuid(), *group) != 0 || fchmod(fd.get(), 0640) != 0))
        throw_errno("giving " + tmp.string() + " to group " + std::to_string(*group));
    if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw_errno("writing " + tmp.string());
    fd.reset();
    if (rename(tmp.c_str(), file.c_str()) != 0) throw_errno("renaming " + tmp.string() + " to " + file.string());
}

std::string format_status(const nlohmann::json& j) {
    auto str = [](const nlohmann::json& v, const char* key) -> std::string {
        return v.contains(key) && v[key].is_string() ? v[key].get<std::string>() : std::string();
    };
    auto num = [](const nlohmann::json& v, const char* key) -> std::int64_t {
        return v.contains(key) && v[key].is_number() ? v[key].get<std::int64_t>() : 0;
    };
    std::ostringstream out;
    out << "session " << str(j, "name") << ": " << str(j, "state");
    if (!str(j, "reason").empty()) out << " (" << str(j, "reason") << ")";
    out << "\n";
    out << "  supervisor pid " << num(j, "supervisor_pid");
    const std::int64_t started = num(j, "started_at");
    if (started > 0) out << ", up " << format_duration(Millis((std::time(nullptr) - started) * 1000));
    const std::int64_t deadline = num(j, "wall_clock_deadline");
    if (deadline > 0 && deadline > std::time(nullptr))
        out << ", wall clock left " << format_duration(Millis((deadline - std::time(nullptr)) * 1000));
    out << "\n";
    if (!str(j, "display").empty()) out << "  display " << str(j, "display") << "\n";
    if (!str(j, "agent_socket").empty()) out << "  agent socket " << str(j, "agent_socket") << "\n";
    if (!str(j, "review_socket").empty()) out << "  review socket " << str(j, "review_socket") << "\n";
    if (!str(j, "vnc").empty()) out << "  vnc: " << str(j, "vnc") << "\n";
    if (j.contains("gate") && j["gate"].is_object() && !j["gate"].empty()) out << "  gate " << j["gate"].dump() << "\n";
    if (j.contains("sandbox") && j["sandbox"].is_object()) {
        const auto& sb = j["sandbox"];
        out << "  sandbox init pid " << num(sb, "init_pid") << ", host uid base " << num(sb, "host_uid_base") << "\n";
        if (sb.contains("limits") && sb["limits"].is_object()) {
            const auto& l = sb["limits"];
            out << "  limits: memory " << format_size(static_cast<std::uint64_t>(num(l, "memory"))) << ", pids "
                << num(l, "pids") << ", cpu "
                << (l.contains("cpu") && l["cpu"].is_number() ? l["cpu"].get<double>() : 0.0);
            if (sb.contains("cgroup") && sb["cgroup"].is_object())
                out << " (cgroup " << str(sb["cgroup"], "version") << ")";
            out << "\n";
        }
        if (sb.contains("events") && sb["events"].is_object()) {
            const auto& e = sb["events"];
            out << "  limit events: memory max " << num(e, "memory_max") << ", oom kills " << num(e, "oom_kill")
                << ", pids max " << num(e, "pids_max") << "\n";
        }
    }
    if (j.contains("apps") && j["apps"].is_array()) {
        out << "  apps:\n";
        for (const auto& a : j["apps"]) {
            out << "    " << str(a, "name") << ": " << str(a, "state");
            if (num(a, "pid") > 0) out << ", pid " << num(a, "pid");
            if (num(a, "restarts") > 0) out << ", restarts " << num(a, "restarts");
            if (!str(a, "last_exit").empty()) out << ", last " << str(a, "last_exit");
            out << "\n";
        }
    }
    return out.str();
}

}  // namespace deskbox
