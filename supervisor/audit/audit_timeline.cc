#include "supervisor/audit/audit_timeline.h"

#include <cstdio>

#include "supervisor/audit/audit_verify.h"

namespace deskbox {

namespace {

std::string str(const nlohmann::json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) return {};
    const auto& v = j.at(key);
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string quoted(const std::string& s) {
    return "'" + s + "'";
}

std::string action_text(const nlohmann::json& a) {
    std::string out = str(a, "kind");
    if (a.contains("point")) out += " at " + a["point"].dump();
    if (a.contains("element")) out += " " + str(a["element"], "role") + " " + quoted(str(a["element"], "name"));
    if (a.contains("keys")) out += " " + a["keys"].dump();
    if (a.contains("text")) out += " " + a["text"].dump();
    if (a.contains("scroll")) out += " by " + a["scroll"].dump();
    return out;
}

std::string who(const nlohmann::json& by) {
    std::string out = str(by, "user");
    if (by.is_object() && by.contains("uid")) out += " (uid " + str(by, "uid") + ", pid " + str(by, "pid") + ")";
    // A front end (the web console) speaking for a person it authenticated.
    if (by.is_object() && by.contains("reviewer"))
        out = str(by, "reviewer") + " via " + (str(by, "via").empty() ? "?" : str(by, "via")) + " [as " + out + "]";
    return out;
}

}  // namespace

std::string summarize_audit_record(const nlohmann::json& record) {
    const std::string type = str(record, "type");
    const nlohmann::json& d = record.contains("data") ? record["data"] : nlohmann::json::object();
    if (type == "proposal") {
        std::string out = str(d, "id") + " " + action_text(d.value("action", nlohmann::json::object())) + " [" +
                          str(d, "dialect") + "]";
        if (d.contains("target")) out += " target=" + str(d["target"], "role") + " " + quoted(str(d["target"], "name"));
        if (d.contains("window"))
            out += " window=" + str(d["window"], "class") + " " + quoted(str(d["window"], "title"));
        if (d.contains("window") && !str(d["window"], "app").empty()) out += " app=" + str(d["window"], "app");
        if (d.contains("domain")) out += " domain=" + str(d, "domain");
        if (d.contains("focus")) out += " focus=" + str(d, "focus");
        if (d.contains("unreadable") && d["unreadable"].is_object())
            for (const auto& [field, why] : d["unreadable"].items())
                out += " " + field + "=unreadable(" + (why.is_string() ? why.get<std::string>() : why.dump()) + ")";
        return out;
    }
    if (type == "target_check") {
        std::string out = str(d, "proposal") + " target " + str(d, "outcome");
        if (d.contains("changes") && d["changes"].is_array())
            for (const auto& c : d["changes"]) out += "; " + (c.is_string() ? c.get<std::string>() : c.dump());
        return out;
    }
    if (type == "decision") {
        std::string out = str(d, "proposal") + " " + str(d, "outcome") + " by rule " + quoted(str(d, "rule"));
        if (d.contains("tier")) out += " (tier " + str(d, "tier") + ")";
        if (d.contains("approval_id")) out += " -> approval " + str(d, "approval_id");
        return out;
    }
    if (type == "approval") {
        std::string out = str(d, "proposal") + " " + str(d, "approval_id") + " " + str(d, "outcome") + " by " +
                          who(d.value("by", nlohmann::json::object()));
        if (!str(d, "note").empty()) out += ": " + str(d, "note");
        return out;
    }
    if (type == "result")
        return str(d, "proposal") + (d.value("ok", false) ? " executed" : " failed") +
               (str(d, "detail").empty() ? "" : ": " + str(d, "detail"));
    if (type == "taint")
        return "session tainted: " + str(d, "source") + " text matched " + quoted(str(d, "pattern")) + ": " +
               quoted(str(d, "excerpt"));
    if (type == "observation") return str(d, "kind") + " " + str(d, "id") + " (" + str(d, "bytes") + " bytes)";
    if (type == "control") {
        std::string out = str(d, "action") + " by " + who(d.value("by", nlohmann::json::object()));
        if (!str(d, "note").empty()) out += ": " + str(d, "note");
        return out;
    }
    if (type == "session_start")
        return "session " + quoted(str(d, "session")) + " manifest " + str(d, "manifest") + " (sha256 " +
               str(d, "manifest_sha256").substr(0, 16) + "), policy " + str(d, "policy") + " (sha256 " +
               str(d, "policy_sha256").substr(0, 16) + ")";
    if (type == "admission") {
        std::string out = d.value("admitted", false) ? "admitted" : "refused";
        for (const char* key : {"reasons", "notes"}) {
            if (!d.contains(key) || !d[key].is_array()) continue;
            for (const auto& item : d[key])
                out += std::string("; ") + (key[0] == 'r' ? "reason: " : "note: ") +
                       (item.is_string() ? item.get<std::string>() : item.dump());
        }
        return out;
    }
    if (type == "verification") {
        if (d.contains("error")) return "could not run: " + str(d, "error");
        std::string out = std::string(d.value("passed", false) ? "passed" : "FAILED") + ": " + str(d, "check");
        if (d.contains("line")) out += " (manifest line " + str(d, "line") + ")";
        if (!str(d, "detail").empty()) out += ": " + str(d, "detail");
        if (d.contains("requested_by")) out += " [requested by " + who(d["requested_by"]) + "]";
        return out;
    }
    if (type == "collect") {
        std::string out = str(d, "path") + (d.value("copied", false) ? " copied (" + str(d, "size") +
                                                                           " bytes, sha256 " + str(d, "sha256") + ")"
                                                                     : " not copied: " + str(d, "error"));
        if (d.contains("requested_by")) out += " [requested by " + who(d["requested_by"]) + "]";
        return out;
    }
    if (type == "teardown") {
        std::string out = "exit code " + str(d, "exit_code");
        if (!str(d, "reason").empty()) out += ": " + str(d, "reason");
        if (d.contains("problems") && d["problems"].is_array())
            for (const auto& p : d["problems"])
                out += "; problem: " + (p.is_string() ? p.get<std::string>() : p.dump());
        return out;
    }
    if (type == "recording") {
        if (str(d, "event") == "started")
            return "video " + str(d, "file") + " started (video time 0 = " + str(d, "started") + ", at most " +
                   str(d, "fps") + " fps, " + str(d, "codec") + "/" + str(d, "container") + ")";
        std::string out = "video " + str(d, "file") + " finished: " + str(d, "frames") + " frames (" +
                          str(d, "dropped") + " dropped), " + str(d, "duration_ms") + " ms, stopped by " +
                          str(d, "stopped_by");
        if (!str(d, "sha256").empty()) out += ", " + str(d, "bytes") + " bytes, sha256 " + str(d, "sha256");
        if (!str(d, "error").empty()) out += ", " + str(d, "error");
        return out;
    }
    if (type == "warning") return str(d, "what") + (str(d, "error").empty() ? "" : ": " + str(d, "error"));
    if (type == "recovered") return str(d, "note") + " (" + str(d, "torn_bytes") + " bytes dropped)";
    if (type == "network") {
        // A connection that ended before naming a host has no host to show.
        std::string out = str(d, "host").empty() ? "connection" : str(d, "host") + ":" + str(d, "port");
        out += " " + str(d, "decision");
        if (!str(d, "rule").empty()) out += " by " + quoted(str(d, "rule"));
        if (!str(d, "error").empty()) out += " (" + str(d, "error") + ")";
        if (d.value("bytes_up", 0) > 0 || d.value("bytes_down", 0) > 0)
            out += ", " + str(d, "bytes_up") + " bytes up, " + str(d, "bytes_down") + " down";
        return out;
    }
    return d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void print_audit_timeline(std::string_view text, std::ostream& out) {
    for (const AuditLine& line : parse_audit_lines(text)) {
        if (!line.parsed) {
            out << "!! line " << line.number << ": not a record\n";
            continue;
        }
        const nlohmann::json& r = line.record;
        std::string time = str(r, "time");
        // Show the time of day; the date is in session_start.
        if (time.size() >= 23 && time[10] == 'T') time = time.substr(11, 12);
        char head[96];
        std::snprintf(head, sizeof head, "%-12s #%-5s %-12s ", time.c_str(), str(r, "seq").c_str(),
                      str(r, "type").c_str());
        out << head << summarize_audit_record(r) << "\n";
    }
}

}  // namespace deskbox
