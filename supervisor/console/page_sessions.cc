#include "supervisor/console/pages.h"
#include "supervisor/console/web_text.h"
#include "supervisor/session/list_format.h"

namespace deskbox::console {

namespace {

using Json = nlohmann::json;

std::string text_of(const Json& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

std::string apps_of(const Json& apps) {
    std::string out;
    for (const Json& a : apps) {
        if (!out.empty()) out += ", ";
        out += text_of(a["name"]);
        if (a["state"] != "running") out += " (" + text_of(a["state"]) + ")";
    }
    return out.empty() ? "-" : out;
}

std::string taint_of(const Json& e) {
    if (e["tainted"] != true) return e["tainted"].is_null() ? "-" : "no";
    const Json& c = e.value("taint_cause", Json());
    if (!c.is_object()) return "tainted";
    return "tainted: " + text_of(c.value("source", Json())) + " matched \"" + text_of(c.value("pattern", Json())) +
           "\"";
}

}  // namespace

std::string sessions_page(const PageContext& who, const std::vector<Json>& entries) {
    std::string body = "<h1>Sessions on this host</h1>";
    if (entries.empty()) {
        body += "<p id=\"no-sessions\">No sessions.</p>";
        return page_layout("Sessions", &who, body);
    }
    body +=
        "<table class=\"sessions\" id=\"sessions\"><thead><tr><th>Session</th><th>State</th><th>Apps</th>"
        "<th>Taint</th><th>Pending approvals</th><th>Budget</th><th>Uptime</th></tr></thead><tbody>";
    for (const Json& e : entries) {
        const std::string name = text_of(e["name"]);
        std::string budget = text_of(e["steps_used"]);
        if (e["steps_limit"].is_number_integer() && e["steps_limit"].get<std::int64_t>() > 0)
            budget += " / " + e["steps_limit"].dump() + " steps";
        const bool pending = e["pending_approvals"].is_number_integer() && e["pending_approvals"].get<int>() > 0;
        std::string state = text_of(e["state"]);
        if (e["paused"] == true) state += " (paused)";
        body += "<tr data-session=\"" + html_escape(name) + "\"><td><a href=\"/session/" + url_encode(name) + "\">" +
                html_escape(name) + "</a></td><td>" + html_escape(state) + "</td><td>" +
                html_escape(apps_of(e["apps"])) + "</td><td class=\"" + (e["tainted"] == true ? "tainted" : "") +
                "\">" + html_escape(taint_of(e)) + "</td><td class=\"" + (pending ? "pending" : "") + "\">" +
                html_escape(text_of(e["pending_approvals"])) + "</td><td>" + html_escape(budget) + "</td><td>" +
                html_escape(e["uptime_s"].is_number_integer() ? format_uptime(e["uptime_s"].get<std::int64_t>())
                                                              : std::string("-")) +
                "</td></tr>";
    }
    body += "</tbody></table>";
    return page_layout("Sessions", &who, body);
}

}  // namespace deskbox::console
