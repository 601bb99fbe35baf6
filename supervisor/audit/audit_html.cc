#include "supervisor/audit/audit_html.h"

#include <time.h>

#include <cstdio>
#include <vector>

#include "supervisor/audit/audit_record.h"
#include "supervisor/audit/audit_timeline.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/audit/kept_screenshot.h"
#include "supervisor/base/error.h"
#include "supervisor/control/base64.h"

namespace deskbox {

namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.5em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.25em .5em;text-align:left;vertical-align:top}
td.t,td.n,td.v{white-space:nowrap;font-family:monospace}td.w{word-break:break-word}
.ok{color:#060;font-weight:bold}.bad{color:#b00;font-weight:bold}
tr.warning td,tr.decision-deny td{background:#fff4f0}img{max-width:32em;border:1px solid #ccc;display:block;margin-top:.3em}
code{font-family:monospace;word-break:break-all}
)";

std::string str(const nlohmann::json& j, const char* key) {
    if (!j.is_object() || !j.contains(key)) return {};
    const auto& v = j.at(key);
    return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const nlohmann::json& data_of(const nlohmann::json& record) {
    static const nlohmann::json empty = nlohmann::json::object();
    return record.contains("data") && record["data"].is_object() ? record["data"] : empty;
}

// "recordings/<digits, T and Z>.webm", as RecordingPart names them.
bool recording_name_ok(const std::string& name) {
    const std::string prefix = "recordings/", suffix = ".webm";
    if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        return false;
    for (std::size_t i = prefix.size(); i < name.size() - suffix.size(); ++i)
        if (!((name[i] >= '0' && name[i] <= '9') || name[i] == 'T' || name[i] == 'Z')) return false;
    return true;
}

std::string embedded_screenshot(const std::filesystem::path& dir, const std::string& kept_as) {
    if (!kept_screenshot_mime(kept_as))
        return " <em>(kept as " + html_escape(kept_as) + ": not a name deskbox writes; not embedded)</em>";
    try {
        const KeptScreenshot shot = read_kept_screenshot(dir / "screenshots", kept_as);
        return "<img alt=\"screenshot " + html_escape(kept_as) + "\" src=\"data:" + shot.mime + ";base64," +
               base64_encode(shot.bytes) + "\">";
    } catch (const Error& e) {
        return " <em>(" + html_escape(e.what()) + "; not embedded)</em>";
    }
}

std::string video_offset(std::int64_t ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%s%lld.%03lld s", ms < 0 ? "-" : "",
                  static_cast<long long>(std::llabs(ms) / 1000), static_cast<long long>(std::llabs(ms) % 1000));
    return text;
}

void write_chain(const std::filesystem::path& log_file, std::string_view text, std::ostream& out) {
    const AuditVerifyReport report = verify_audit_text(text);
    out << "<section id=\"chain\"><h2>Hash chain</h2><p class=\"" << (report.ok ? "ok" : "bad") << "\">"
        << (report.ok ? "intact" : "BROKEN") << "</p>\n";
    for (const std::string& line : describe_audit_verification(log_file.string(), report))
        out << "<p>" << html_escape(line) << "</p>\n";
    out << "</section>\n";
}

void write_verification(const std::vector<AuditLine>& lines, std::ostream& out) {
    out << "<section id=\"verification\"><h2>Verification</h2>\n";
    bool any = false;
    for (const AuditLine& line : lines) {
        if (!line.parsed || str(line.record, "type") != "verification") continue;
        if (!any) out << "<table><tr><th>time</th><th>result</th></tr>\n";
        any = true;
        const std::string summary = summarize_audit_record(line.record);
        const bool passed = data_of(line.record).value("passed", false);
        out << "<tr><td class=\"t\">" << html_escape(str(line.record, "time")) << "</td><td class=\"w\"><span class=\""
            << (passed ? "ok" : "bad") << "\">" << (passed ? "passed" : "failed") << "</span> " << html_escape(summary)
            << "</td></tr>\n";
    }
    out << (any ? "</table>\n" : "<p>No verify checks were recorded.</p>\n") << "</section>\n";
}

void write_recordings(const std::filesystem::path& dir, const std::vector<AuditLine>& lines, std::ostream& out) {
    out << "<section id=\"recording\"><h2>Recording</h2>\n";
    bool any = false;
    for (const AuditLine& line : lines) {
        if (!line.parsed || str(line.record, "type") != "recording") continue;
        const nlohmann::json& d = data_of(line.record);
        any = true;
        out << "<p>" << html_escape(summarize_audit_record(line.record)) << "</p>\n";
        if (str(d, "event") != "finished" || str(d, "sha256").empty()) continue;
        const std::string file = str(d, "file");
        std::string verdict;
        if (!recording_name_ok(file)) {
            verdict = "<span class=\"bad\">not a name deskbox writes; not checked</span>";
        } else if (!std::filesystem::exists(dir / file)) {
            verdict = "not found beside the log";
        } else {
            try {
                const FileDigest digest = sha256_of_file(dir / file);
                verdict = digest.sha256 == str(d, "sha256") && std::to_string(digest.bytes) == str(d, "bytes")
                              ? "<span class=\"ok\">the file beside the log matches its sha256</span>"
                              : "<span class=\"bad\">the file beside the log DIFFERS from the recorded sha256</span>";
            } catch (const Error& e) {
                verdict = "unreadable: " + html_escape(e.what());
            }
        }
        out << "<p>File <code>" << html_escape(file) << "</code>, sha256 <code>" << html_escape(str(d, "sha256"))
            << "</code>: " << verdict << "</p>\n";
    }
    if (!any) out << "<p>The session was not recorded.</p>\n";
    out << "</section>\n";
}

void write_timeline(const std::filesystem::path& dir, const std::vector<AuditLine>& lines, std::ostream& out) {
    out << "<section id=\"timeline\"><h2>Timeline</h2>\n<table><tr><th>time</th><th>#</th><th>type</th>"
           "<th>video</th><th>what</th></tr>\n";
    std::optional<std::int64_t> video_start;
    for (const AuditLine& line : lines) {
        if (!line.parsed) {
            out << "<tr class=\"warning\"><td></td><td class=\"n\">line " << line.number
                << "</td><td>!!</td><td></td><td>not a record</td></tr>\n";
            continue;
        }
        const nlohmann::json& r = line.record;
        const nlohmann::json& d = data_of(r);
        const std::string type = str(r, "type");
        if (type == "recording" && str(d, "event") == "started" && d.contains("started_unix_ms") &&
            d["started_unix_ms"].is_number_integer())
            video_start = d["started_unix_ms"].get<std::int64_t>();
        std::string offset;
        if (video_start)
            if (const auto t = parse_audit_time(str(r, "time")); t && *t >= *video_start)
                offset = video_offset(*t - *video_start);
        std::string row_class = type;
        if (type == "decision") row_class += "-" + str(d, "outcome");
        out << "<tr class=\"" << html_escape(row_class) << "\"><td class=\"t\">" << html_escape(str(r, "time"))
            << "</td><td class=\"n\">" << html_escape(str(r, "seq")) << "</td><td>" << html_escape(type)
            << "</td><td class=\"v\">" << offset << "</td><td class=\"w\">" << html_escape(summarize_audit_record(r));
        if (type == "observation" && !str(d, "kept_as").empty()) out << embedded_screenshot(dir, str(d, "kept_as"));
        out << "</td></tr>\n";
    }
    out << "</table>\n</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::optional<std::int64_t> parse_audit_time(std::string_view time) {
    // 2026-11-22T08:01:44.123Z
    if (time.size() != 24 || time[4] != '-' || time[7] != '-' || time[10] != 'T' || time[13] != ':' ||
        time[16] != ':' || time[19] != '.' || time[23] != 'Z')
        return std::nullopt;
    auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (time[i] < '0' || time[i] > '9') return std::nullopt;
            v = v * 10 + (time[i] - '0');
        }
        return v;
    };
    const auto year = number(0, 4), month = number(5, 2), day = number(8, 2), hour = number(11, 2),
               minute = number(14, 2), second = number(17, 2), ms = number(20, 3);
    if (!year || !month || !day || !hour || !minute || !second || !ms) return std::nullopt;
    tm utc{};
    utc.tm_year = *year - 1900;
    utc.tm_mon = *month - 1;
    utc.tm_mday = *day;
    utc.tm_hour = *hour;
    utc.tm_min = *minute;
    utc.tm_sec = *second;
    return static_cast<std::int64_t>(timegm(&utc)) * 1000 + *ms;
}

void write_audit_html(const std::filesystem::path& log_file, std::string_view text, std::ostream& out) {
    const std::vector<AuditLine> lines = parse_audit_lines(text);
    const std::filesystem::path dir = log_file.parent_path().empty() ? "." : log_file.parent_path();
    std::string session;
    for (const AuditLine& line : lines)
        if (line.parsed && str(line.record, "type") == "session_start") {
            session = str(data_of(line.record), "session");
            break;
        }
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
           // No scripts, no outside loads: only the inline style and data: images.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
           "style-src 'unsafe-inline'\">\n"
        << "<title>deskbox audit report: " << html_escape(session.empty() ? log_file.string() : session)
        << "</title>\n<style>" << kStyle << "</style></head><body>\n"
        << "<h1>deskbox audit report</h1>\n<p>Session <strong>" << html_escape(session) << "</strong>, log <code>"
        << html_escape(log_file.string()) << "</code>, " << lines.size() << " lines, report written "
        << html_escape(audit_time_now()) << ".</p>\n";
    write_chain(log_file, text, out);
    write_verification(lines, out);
    write_recordings(dir, lines, out);
    write_timeline(dir, lines, out);
    out << "</body></html>\n";
}

}  // namespace deskbox
