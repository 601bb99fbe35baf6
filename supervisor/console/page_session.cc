#include "supervisor/audit/audit_timeline.h"
#include "supervisor/console/pages.h"
#include "supervisor/console/web_text.h"

namespace deskbox::console {

namespace {

using Json = nlohmann::json;

std::string csrf_field(const PageContext& who) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(who.csrf) + "\">";
}

std::string control_form(const PageContext& who, const std::string& base, const std::string& action,
                         const std::string& label, const std::string& extra = {}) {
    return "<form method=\"post\" action=\"" + base + "/" + action + "\" class=\"inline control\"" + extra + ">" +
           csrf_field(who) + "<button type=\"submit\" id=\"control-" + action + "\">" + label + "</button></form>";
}

std::string str(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

// A kept screenshot's thumbnail, linked to the full picture (an observation
// record with `kept_as`; the session checks the name before reading it).
std::string thumbnail(const std::string& session, const Json& record) {
    if (str(record, "type") != "observation" || !record.contains("data")) return {};
    const std::string kept = str(record["data"], "kept_as");
    if (kept == "-") return {};
    const std::string src = "/session/" + url_encode(session) + "/kept/" + url_encode(kept);
    return "<a class=\"thumb\" href=\"" + src + "\"><img class=\"thumb\" loading=\"lazy\" alt=\"screenshot " +
           html_escape(kept) + "\" src=\"" + src + "\"></a>";
}

}  // namespace

std::string approvals_section(const PageContext& who, const std::string& session, const Json& approvals) {
    const std::string base = "/session/" + url_encode(session);
    std::string ids;
    for (const Json& a : approvals) ids += (ids.empty() ? "" : ",") + str(a, "id");
    std::string out = "<section id=\"approvals\" data-ids=\"" + html_escape(ids) + "\"><h2>Pending approvals</h2>";
    if (approvals.empty()) return out + "<p class=\"none\">Nothing is waiting for a reviewer.</p></section>";
    for (const Json& a : approvals) {
        const std::string id = str(a, "id");
        out += "<article class=\"approval\" id=\"approval-" + html_escape(id) + "\"><h3>" + html_escape(id) + ": " +
               html_escape(str(a, "rule")) +
               "</h3><div class=\"approval-body\"><figure><img class=\"observation\" "
               "alt=\"the screen when the agent proposed this (password fields and redaction regions blacked out; the "
               "target in red)\" "
               "src=\"" +
               base + "/approval/" + url_encode(id) +
               ".png\"><figcaption>The screen at proposal time; "
               "password fields and the policy's redaction regions blacked out, the target outlined in "
               "red.</figcaption></figure><dl class=\"words\">";
        for (const auto& [label, text] : approval_words(a))
            out += "<dt>" + html_escape(label) + "</dt><dd>" + html_escape(text) + "</dd>";
        out += "</dl></div><form method=\"post\" action=\"" + base + "/decide\" class=\"decide\">" + csrf_field(who) +
               "<input type=\"hidden\" name=\"approval\" value=\"" + html_escape(id) +
               "\">"
               "<label>Note <input type=\"text\" name=\"note\" maxlength=\"2000\"></label> "
               "<button type=\"submit\" name=\"decision\" value=\"approve\" class=\"approve\">Approve</button> "
               "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"deny\">Deny</button></form></article>";
    }
    return out + "</section>";
}

std::string timeline_section(const std::string& session, const Json& audit) {
    const Json& v = audit.contains("verification") ? audit["verification"] : Json::object();
    const Json& records = audit.contains("records") ? audit["records"] : Json::array();
    std::string last_seq = records.empty() ? "0" : str(records.back(), "seq");
    std::string out = "<section id=\"timeline\" data-last-seq=\"" + html_escape(last_seq) + "\"><h2>Timeline</h2>";
    if (v.value("ok", false)) {
        out += "<p class=\"verified\" id=\"chain\">Hash chain verified: " + html_escape(str(v, "records")) +
               " records, none changed, removed or reordered.</p>";
    } else {
        out += "<p class=\"broken\" id=\"chain\">Hash chain BROKEN at record " + html_escape(str(v, "broken_record")) +
               ": " + html_escape(str(v, "problem")) + "</p>";
    }
    out +=
        "<table class=\"timeline\"><thead><tr><th>Time</th><th>#</th><th>Record</th><th>What happened</th></tr>"
        "</thead><tbody>";
    for (auto it = records.rbegin(); it != records.rend(); ++it) {  // newest first
        std::string time = str(*it, "time");
        if (time.size() >= 23 && time[10] == 'T') time = time.substr(11, 12);
        const std::string type = str(*it, "type");
        out += "<tr class=\"record-" + html_escape(type) + "\"><td>" + html_escape(time) + "</td><td>" +
               html_escape(str(*it, "seq")) + "</td><td>" + html_escape(type) + "</td><td>" +
               html_escape(summarize_audit_record(*it)) + thumbnail(session, *it) + "</td></tr>";
    }
    return out + "</tbody></table></section>";
}

std::string session_page(const PageContext& who, const Json& entry, const Json& approvals, const Json& audit,
                         bool live_view, bool in_control) {
    const std::string name = str(entry, "name");
    const std::string base = "/session/" + url_encode(name);
    std::string state = str(entry, "state");
    if (entry["paused"] == true) state += ", paused";
    if (entry.contains("taken_over") && entry["taken_over"] == true) state += ", taken over by a reviewer";
    std::string body = "<h1>Session " + html_escape(name) + "</h1><p class=\"state\" id=\"state\">" +
                       html_escape(state) +
                       (entry["tainted"] == true ? " · <span class=\"tainted\">tainted</span>" : "") + " · steps " +
                       html_escape(str(entry, "steps_used")) + "</p>";
    body += "<section id=\"controls\"><h2>Controls</h2>" + control_form(who, base, "pause", "Pause") +
            control_form(who, base, "resume", "Resume") +
            control_form(who, base, "stop", "Stop the session",
                         " data-confirm=\"Stop session " + html_escape(name) +
                             "? Pending approvals are denied and the apps end.\"") +
            control_form(who, base, "verify", "Verify now") +
            (in_control ? control_form(who, base, "handback", "Hand back")
                        : control_form(who, base, "takeover", "Take control",
                                       " data-confirm=\"Take control of session " + html_escape(name) +
                                           "? The agent is refused until you hand back; this is audited.\"")) +
            "</section>";
    if (live_view)
        body += "<section id=\"live\"><h2>Live view" + std::string(in_control ? " (you have control)" : "") +
                "</h2><div id=\"screen\" data-ws=\"" + base + "/vnc\"" +
                (in_control ? " data-view-only=\"false\"" : "") +
                "></div><p class=\"hint\" id=\"live-status\">connecting…</p></section>"
                "<script type=\"module\" src=\"/static/live.js\"></script>";
    body += "<div id=\"live-parts\" data-poll=\"" + base + "/parts\">" + approvals_section(who, name, approvals) +
            timeline_section(name, audit) + "</div>";
    return page_layout("Session " + name, &who, body);
}

}  // namespace deskbox::console
