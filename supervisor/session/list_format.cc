#include "supervisor/session/list_format.h"

#include <algorithm>
#include <array>
#include <sstream>

namespace deskbox {
namespace {

using Json = nlohmann::json;

// A status.json value of the wanted kind, else null (status.json is read, not trusted).
Json pick(const Json& from, const char* key, Json::value_t kind) {
    if (!from.is_object() || !from.contains(key)) return nullptr;
    const Json& v = from[key];
    const bool number = kind == Json::value_t::number_integer || kind == Json::value_t::number_unsigned;
    if (number ? v.is_number_integer() : v.type() == kind) return v;
    return nullptr;
}

Json pick_int(const Json& from, const char* key) {
    return pick(from, key, Json::value_t::number_integer);
}

Json apps_of(const Json& status) {
    Json apps = Json::array();
    if (!status.contains("apps") || !status["apps"].is_array()) return apps;
    for (const Json& a : status["apps"]) {
        if (!a.is_object()) continue;
        apps.push_back({{"name", pick(a, "name", Json::value_t::string)},
                        {"state", pick(a, "state", Json::value_t::string)},
                        {"restarts", pick_int(a, "restarts")}});
    }
    return apps;
}

std::string text(const Json& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
    return v.dump();
}

std::string apps_cell(const Json& apps) {
    if (apps.empty()) return "-";
    std::string out;
    for (const Json& a : apps) {
        if (!out.empty()) out += ",";
        out += text(a["name"]);
        // Only the unusual is spelled out: a running app is just its name.
        if (a["state"] != "running") out += "(" + text(a["state"]) + ")";
    }
    return out;
}

std::string budget_cell(const Json& e, std::int64_t now) {
    if (e["steps_used"].is_null()) return "-";
    std::string out = e["steps_used"].dump();
    if (e["steps_limit"].is_number_integer() && e["steps_limit"].get<std::int64_t>() > 0)
        out += "/" + e["steps_limit"].dump();
    out += " steps";
    if (e["live"] == true && e["wall_clock_deadline"].is_number_integer()) {
        const std::int64_t deadline = e["wall_clock_deadline"].get<std::int64_t>();
        if (deadline > 0) out += ", " + format_uptime(std::max<std::int64_t>(0, deadline - now)) + " left";
    }
    return out;
}

}  // namespace

Json list_entry(const ListedSession& s, std::int64_t now) {
    const Json& st = s.readable ? s.status : Json::object();
    const Json gate = st.contains("gate") && st["gate"].is_object() ? st["gate"] : Json::object();
    const Json supervisor_pid = pick_int(st, "supervisor_pid");
    Json e = {
        {"name", s.name},
        {"scope", s.scope},
        {"dir", s.dir.string()},
        {"supervisor_pid", supervisor_pid},
        {"display", pick(st, "display", Json::value_t::string)},
        {"reason", pick(st, "reason", Json::value_t::string)},
        {"apps", apps_of(st)},
        {"pending_approvals", pick_int(gate, "pending_approvals")},
        {"tainted", pick(gate, "tainted", Json::value_t::boolean)},
        {"paused", pick(gate, "paused", Json::value_t::boolean)},
        {"taken_over", pick(gate, "taken_over", Json::value_t::boolean)},
        {"steps_used", pick_int(gate, "steps_used")},
        {"steps_limit", pick_int(gate, "steps_limit")},
        {"wall_clock_deadline", pick_int(st, "wall_clock_deadline")},
        {"started_at", pick_int(st, "started_at")},
        {"uptime_s", nullptr},
        {"problem", nullptr},
    };
    if (s.access_denied) {
        e["state"] = "no access";
        e["live"] = s.lock_held;
        e["problem"] = s.problem;
        return e;
    }
    if (!s.readable) {
        // Between the lock and the first status.json of a starting session, or a broken file.
        e["state"] = s.lock_held ? "unknown" : "stale";
        e["live"] = s.lock_held;
        e["problem"] = s.lock_held ? s.problem : s.problem + "; no supervisor holds " + s.name + ".lock";
        return e;
    }
    const Json state = pick(st, "state", Json::value_t::string);
    const std::string recorded = state.is_null() ? "unknown" : state.get<std::string>();
    const std::string pid = supervisor_pid.is_null() ? "?" : supervisor_pid.dump();
    if (!s.supervisor_alive) {
        e["state"] = "stale";
        e["live"] = false;
        e["problem"] = "supervisor pid " + pid + " is gone (last state " + recorded + ")" +
                       (s.lock_held ? "; its janitor is cleaning up" : "; the session dir was left behind");
        return e;
    }
    if (!s.lock_held) {
        // A live pid without the lock: the pid was reused by another process.
        e["state"] = "stale";
        e["live"] = false;
        e["problem"] = "no supervisor holds " + s.name + ".lock (pid " + pid + " is another process now)";
        return e;
    }
    e["state"] = recorded;
    e["live"] = true;
    if (e["started_at"].is_number_integer() && e["started_at"].get<std::int64_t>() > 0)
        e["uptime_s"] = std::max<std::int64_t>(0, now - e["started_at"].get<std::int64_t>());
    return e;
}

Json list_document(const std::vector<Json>& entries) {
    return {{"schema", kListSchemaVersion}, {"sessions", entries}};
}

std::string format_list_table(const std::vector<Json>& entries, std::int64_t now) {
    if (entries.empty()) return "no sessions\n";
    constexpr std::size_t kColumns = 9;
    using Row = std::array<std::string, kColumns>;
    std::vector<Row> rows = {{"NAME", "STATE", "DISPLAY", "APPS", "PENDING", "TAINT", "BUDGET", "UPTIME", "NOTE"}};
    for (const Json& e : entries) {
        std::string state = text(e["state"]);
        if (e["paused"] == true && e["live"] == true) state += " (paused)";
        if (e["taken_over"] == true && e["live"] == true) state += " (taken over)";
        const std::string taint = e["tainted"].is_null() ? "-" : (e["tainted"] == true ? "tainted" : "clean");
        const std::string uptime =
            e["uptime_s"].is_number_integer() ? format_uptime(e["uptime_s"].get<std::int64_t>()) : "-";
        const std::string note = e["problem"].is_string() ? e["problem"].get<std::string>() : "";
        rows.push_back({text(e["name"]), state, text(e["display"]), apps_cell(e["apps"]), text(e["pending_approvals"]),
                        taint, budget_cell(e, now), uptime, note});
    }
    std::array<std::size_t, kColumns> width{};
    for (const Row& r : rows)
        for (std::size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], r[i].size());
    std::ostringstream out;
    for (const Row& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < kColumns; ++i) {
            line += r[i];
            if (i + 1 < kColumns) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    }
    return out.str();
}

std::string format_uptime(std::int64_t seconds) {
    auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3600) return std::to_string(seconds / 60) + "m" + two(seconds % 60) + "s";
    if (seconds < 86400) return std::to_string(seconds / 3600) + "h" + two(seconds % 3600 / 60) + "m";
    return std::to_string(seconds / 86400) + "d" + two(seconds % 86400 / 3600) + "h";
}

}  // namespace deskbox
