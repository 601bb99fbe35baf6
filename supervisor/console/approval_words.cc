#include "supervisor/console/pages.h"

namespace deskbox::console {

namespace {

using Json = nlohmann::json;

std::string str(const Json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string element_words(const Json& e) {
    if (!e.is_object()) return "";
    return str(e, "role") + " \"" + str(e, "name") + "\"";
}

std::string duration_words(std::int64_t ms) {
    if (ms <= 0) return "timing out now";
    const std::int64_t s = ms / 1000;
    if (s < 60) return std::to_string(s) + " s";
    return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> approval_words(const Json& approval) {
    std::vector<std::pair<std::string, std::string>> words;
    const Json& p = approval.contains("proposal") ? approval["proposal"] : Json::object();
    const Json& a = p.contains("action") ? p["action"] : Json::object();
    auto add = [&](const std::string& label, const std::string& text) {
        if (!text.empty()) words.emplace_back(label, text);
    };
    std::string action = str(a, "kind");
    if (a.contains("point") && a["point"].is_array() && a["point"].size() == 2)
        action += " at " + a["point"][0].dump() + "," + a["point"][1].dump();
    if (a.contains("button")) action += " (" + str(a, "button") + " button)";
    add("Action", action);
    if (a.contains("element")) add("Element asked for", element_words(a["element"]));
    if (p.contains("target")) add("Element", element_words(p["target"]));
    if (a.contains("text")) {
        // The audit record says "<not recorded ...>" for password fields and unknown focus.
        const std::string text = str(a, "text");
        add("Typed text", text.rfind("<", 0) == 0 ? text : "\"" + text + "\"");
    }
    if (a.contains("keys")) add("Keys", a["keys"].is_array() ? a["keys"].dump() : str(a, "keys"));
    if (p.contains("window")) {
        add("Window", str(p["window"], "title") + " (" + str(p["window"], "class") + ")");
        add("App", str(p["window"], "app"));
    }
    add("Site", str(p, "domain"));
    add("Rule", str(approval, "rule"));
    add("Tier", str(p, "tier"));
    add("Why", str(p, "reason"));
    if (p.contains("taint_cause")) {
        const Json& c = p["taint_cause"];
        add("Taint", "the session is tainted: " + str(c, "source") + " text matched \"" + str(c, "pattern") + "\": \"" +
                         str(c, "excerpt") + "\"");
    } else if (p.value("tainted", false)) {
        add("Taint", "the session is tainted");
    }
    if (a.contains("safety_checks") && a["safety_checks"].is_array()) {
        std::string checks;
        for (const Json& c : a["safety_checks"]) {
            if (!checks.empty()) checks += "; ";
            checks += str(c, "code") + ": " + str(c, "message");
        }
        add("OpenAI safety checks", checks);
    }
    if (p.contains("unreadable")) add("Could not read", p["unreadable"].dump());
    if (approval.contains("expires_in_ms"))
        add("Time left", duration_words(approval["expires_in_ms"].get<std::int64_t>()));
    return words;
}

}  // namespace deskbox::console
