// deskbox's own requests: element-grounded actions (the accessibility layer
// finds the element by role/name, exact or regex, optionally within an app or
// window) and observations with their options.
// {"action":"click_element","role":"push button","name":"Save"}
#include <array>

#include "supervisor/control/agent_request.h"
#include "supervisor/control/base64.h"
#include "xsession/actions/element_regex.h"

namespace deskbox {
namespace {

constexpr std::array kActions = {"click_element", "type_into", "focus_element", "type_secret",
                                 "screenshot",    "tree",      "hit_test",      "upload"};

ElementTarget element_target(const Fields& f, bool required) {
    ElementTarget t;
    t.role = f.opt_string("role", kMaxNameBytes).value_or("");
    t.name = f.opt_string("name", kMaxNameBytes).value_or("");
    t.regex = f.opt_bool("regex").value_or(false);
    t.app = f.opt_string("app", kMaxNameBytes).value_or("");
    t.window = f.opt_string("window", kMaxNameBytes).value_or("");
    if (required && t.role.empty() && t.name.empty())
        throw ProtocolError("missing_field", "an element action needs 'role' or 'name'");
    // A pattern that does not compile is the agent's mistake: say so now,
    // naming the field, the pattern and RE2's reason, before the gate sees it.
    try {
        check_element_regexes(t);
    } catch (const Error& e) {
        throw ProtocolError("invalid_pattern", e.what());
    }
    return t;
}

// {"action":"upload","path":"~/in.csv","data":"<base64>"} or {..., "source":"NAME"}
// (a host file the manifest lists under `uploads:`, read by the session).
UploadRequest upload_request(const Fields& f) {
    UploadRequest u;
    u.path = f.string("path", kMaxUploadPathBytes);
    const auto data = f.opt_string("data", kMaxUploadBytes / 3 * 4 + 4);
    const auto source = f.opt_string("source", kMaxNameBytes);
    if (data.has_value() == source.has_value())
        throw ProtocolError("missing_field", "an upload needs exactly one of 'data' (base64) or 'source'");
    if (source) u.source = *source;
    if (data && !base64_decode(*data, u.data)) throw ProtocolError("invalid_field", "field 'data' is not valid base64");
    if (u.data.size() > kMaxUploadBytes)
        throw ProtocolError("invalid_field", "field 'data' holds " + std::to_string(u.data.size()) +
                                                 " bytes, more than the " + std::to_string(kMaxUploadBytes) +
                                                 " an inline upload may carry (use a manifest 'uploads' source)");
    return u;
}

}  // namespace

bool is_deskbox_action(std::string_view name) {
    for (std::string_view a : kActions)
        if (a == name) return true;
    return false;
}

void parse_deskbox(const Fields& f, AgentRequest& out) {
    out.dialect = Dialect::Deskbox;
    const std::string name = f.string("action", 64);
    out.action_name = name;
    Action a;
    if (name == "click_element" || name == "focus_element") {
        a.kind = name == "click_element" ? ActionKind::ClickElement : ActionKind::FocusElement;
        a.element = element_target(f, true);
    } else if (name == "type_into") {
        a.kind = ActionKind::TypeInto;
        a.element = element_target(f, true);
        a.text = f.string("text", kMaxTextBytes);
    } else if (name == "type_secret") {
        // By name only: deskbox types the manifest secret's value (docs/credentials.md).
        a.kind = ActionKind::TypeSecret;
        a.secret = f.string("secret", kMaxNameBytes);
        ElementTarget target = element_target(f, false);
        if (!target.role.empty() || !target.name.empty()) a.element = target;
    } else if (name == "screenshot") {
        a.kind = ActionKind::Screenshot;
        // Options live at the top level here as well as under "capture".
        if (auto format = f.opt_string("format", 8)) {
            if (*format != "png" && *format != "jpeg")
                throw ProtocolError("invalid_field", "field 'format' must be png or jpeg, got '" + *format + "'");
            out.capture.format = *format;
        }
        if (auto q = f.opt_integer("quality", 1, 100)) out.capture.jpeg_quality = static_cast<int>(*q);
        if (auto s = f.opt_bool("settle")) out.capture.settle = *s;
        if (auto c = f.opt_bool("cursor")) out.capture.cursor = *c;
    } else if (name == "tree") {
        a.kind = ActionKind::Tree;
        if (auto format = f.opt_string("format", 16)) {
            if (*format != "json" && *format != "osworld_xml" && *format != "linearized")
                throw ProtocolError("invalid_field",
                                    "field 'format' must be json, osworld_xml or linearized, got '" + *format + "'");
            a.tree_format = *format;
        }
        a.interactive_only = f.opt_bool("interactive_only").value_or(false);
        ElementTarget filter = element_target(f, false);
        if (!filter.app.empty() || !filter.window.empty() || !filter.role.empty() || !filter.name.empty())
            a.element = filter;
    } else if (name == "hit_test") {
        a.kind = ActionKind::HitTest;
        a.point = f.opt_xy("x", "y", false);
        if (!a.point) a.point = f.opt_coordinate_pair("coordinate");
        if (!a.point) throw ProtocolError("missing_field", "fields 'x' and 'y' are required");
    } else if (name == "upload") {
        a.kind = ActionKind::Upload;
        a.upload = upload_request(f);
    } else {
        throw ProtocolError("unknown_action", "unknown deskbox action '" + name + "'");
    }
    out.steps.push_back(std::move(a));
}

}  // namespace deskbox
