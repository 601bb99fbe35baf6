#include "supervisor/audit/action_record.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "supervisor/audit/audit_record.h"

namespace deskbox {

namespace {
nlohmann::json point_json(const Point& p) {
    return {p.x, p.y};
}
}  // namespace

nlohmann::json safety_checks_json(const std::vector<SafetyCheck>& checks) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : checks) list.push_back({{"id", c.id}, {"code", c.code}, {"message", c.message}});
    return list;
}

namespace {
bool carries_keys(ActionKind k) {
    return k == ActionKind::Type || k == ActionKind::TypeInto || k == ActionKind::Key || k == ActionKind::KeyDown ||
           k == ActionKind::KeyUp;
}
}  // namespace

TextRecording text_recording(const Action& action, const GateContext& context, UnknownFocusText unknown_focus) {
    if (!carries_keys(action.kind)) return TextRecording::Record;
    if (is_password_field(context.target)) return TextRecording::OmitPasswordField;
    const bool focus_known = context.target.has_value() && context.readable("target");
    if (!focus_known && unknown_focus == UnknownFocusText::Omit) return TextRecording::OmitUnknownFocus;
    return TextRecording::Record;
}

nlohmann::json action_record_json(const Action& action, TextRecording recording) {
    const bool omit_text = recording != TextRecording::Record;
    const char* omitted = recording == TextRecording::OmitPasswordField ? "[NOT RECORDED: password field]"
                                                                        : "[NOT RECORDED: focus unknown]";
    nlohmann::json j = {{"kind", to_string(action.kind)}};
    if (action.point) j["point"] = point_json(*action.point);
    if (!action.path.empty()) {
        nlohmann::json path = nlohmann::json::array();
        for (const auto& p : action.path) path.push_back(point_json(p));
        j["path"] = std::move(path);
    }
    switch (action.kind) {
        case ActionKind::Click:
        case ActionKind::DoubleClick:
        case ActionKind::TripleClick:
        case ActionKind::MouseDown:
        case ActionKind::MouseUp:
        case ActionKind::Drag:
        case ActionKind::ClickElement:
            j["button"] = to_string(action.button);
            break;
        default:
            break;
    }
    if (action.scroll_x || action.scroll_y) j["scroll"] = {action.scroll_x, action.scroll_y};
    if (!action.keys.empty()) {
        // Keys pressed one by one into a password field spell it as well as typed text.
        if (omit_text) {
            j["keys"] = omitted;
            j["keys_count"] = action.keys.size();
        } else {
            j["keys"] = action.keys;
        }
    }
    if (!action.held_keys.empty()) j["held_keys"] = action.held_keys;
    if (action.kind == ActionKind::Type || action.kind == ActionKind::TypeInto) {
        if (omit_text) {
            j["text"] = omitted;
        } else {
            j["text"] = action.text;
        }
        j["text_length"] = action.text.size();
    }
    if (action.kind == ActionKind::TypeSecret) j["secret"] = action.secret;  // the name; the value is never here
    if (action.duration.count() > 0) j["duration_ms"] = action.duration.count();
    if (action.region) j["region"] = {action.region->x, action.region->y, action.region->width, action.region->height};
    if (!action.safety_checks.empty()) j["safety_checks"] = safety_checks_json(action.safety_checks);
    if (action.upload) {
        // What lands in the sandbox, by hash: the bytes themselves are not logged.
        const UploadRequest& u = *action.upload;
        j["path"] = u.path;
        if (u.source.empty()) {
            j["size"] = u.data.size();
            j["sha256"] = sha256_hex_of(u.data);
        } else {
            j["source"] = u.source;  // the result record gives its size and sha256
        }
    }
    if (action.element) {
        nlohmann::json e = {{"role", action.element->role}, {"name", action.element->name}};
        if (action.element->regex) e["regex"] = true;
        if (!action.element->app.empty()) e["app"] = action.element->app;
        if (!action.element->window.empty()) e["window"] = action.element->window;
        j["element"] = std::move(e);
    }
    return j;
}

nlohmann::json context_record_json(const GateContext& context) {
    nlohmann::json j = nlohmann::json::object();
    if (context.target) {
        nlohmann::json t = {{"role", context.target->role}, {"name", context.target->name}};
        if (context.target->box) {
            const Rect& b = *context.target->box;
            t["box"] = {b.x, b.y, b.width, b.height};
        }
        if (!context.target->states.empty()) t["states"] = context.target->states;
        j["target"] = std::move(t);
    }
    if (context.window) {
        const FocusedWindow& w = *context.window;
        char id[32];
        std::snprintf(id, sizeof id, "0x%llx", static_cast<unsigned long long>(w.id));
        j["window"] = {{"class", w.window_class}, {"title", w.title}};
        if (!w.instance.empty()) j["window"]["instance"] = w.instance;
        if (w.id) j["window"]["id"] = id;
        if (w.pid > 0) j["window"]["pid"] = w.pid;
        if (context.readable("app")) j["window"]["app"] = w.app;
    }
    if (context.keys_follow_pointer) j["keys_follow_pointer"] = true;
    if (!context.domain.empty()) j["domain"] = context.domain;
    if (!context.unreadable.empty()) j["unreadable"] = context.unreadable;
    if (context.pixels) j["pixels_sha256"] = context.pixels->sha256;
    return j;
}

}  // namespace deskbox
