#include "supervisor/session/session_executor.h"

#include <X11/Xutil.h>

#include <nlohmann/json.hpp>

#include "xsession/a11y/a11y_match.h"
#include "xsession/display/windows.h"

namespace deskbox {
namespace {

nlohmann::json element_json(const a11y::Element& e, const ScaleMap& scale) {
    nlohmann::json j = {{"role", e.role}, {"name", e.name}, {"app", e.app}, {"window", e.window}};
    if (e.bbox) {
        j["box"] = {{"x", e.bbox->x}, {"y", e.bbox->y}, {"width", e.bbox->width}, {"height", e.bbox->height}};
        const Point c = a11y::centre(*e.bbox);
        if (c.x >= 0 && c.y >= 0 && c.x < scale.screen_width() && c.y < scale.screen_height()) {
            const Point s = scale.to_scaled(c);
            j["center_scaled"] = {{"x", s.x}, {"y", s.y}};
        }
    }
    if (!e.description.empty()) j["description"] = e.description;
    if (!e.states.empty()) j["states"] = e.states;
    return j;
}

ActionResult failure(std::string message) {
    ActionResult r;
    r.ok = false;
    r.error = std::move(message);
    return r;
}

// "https://ci.example:8443/runs?x" -> "ci.example"
std::string host_of_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    std::string rest = url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
    if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
    return rest.substr(0, rest.find(':'));
}

}  // namespace

SessionExecutor::SessionExecutor(Desktop& desktop, Display* display, a11y::A11yClient* a11y)
    : desktop_(desktop), display_(display), a11y_(a11y) {}

a11y::ScaleFactors SessionExecutor::scale_factors() const {
    const ScaleMap& s = desktop_.scale();
    return {static_cast<double>(s.scaled_width()) / s.screen_width(),
            static_cast<double>(s.scaled_height()) / s.screen_height()};
}

ActionResult SessionExecutor::execute(const Action& action, const CaptureOptions& capture) {
    try {
        switch (action.kind) {
            case ActionKind::Tree: return tree(action);
            case ActionKind::HitTest: return hit_test(action);
            case ActionKind::ClickElement:
            case ActionKind::TypeInto:
            case ActionKind::FocusElement: return element_action(action);
            default: break;
        }
        ActionResult result = desktop_.execute(action, capture);
        if (result.ok && result.image && observation_hook_)
            observation_hook_(to_string(action.kind), result.image->mime, result.image->bytes);
        if (result.ok && result.image && capture.current_url) result.current_url = focused_browser_url();
        return result;
    } catch (const a11y::GroundingError& e) {
        ActionResult r = failure(e.what());
        nlohmann::json candidates = nlohmann::json::array();
        for (const auto& c : e.candidates()) candidates.push_back(element_json(c, desktop_.scale()));
        r.json = nlohmann::json{{"candidates", candidates}}.dump();
        return r;
    } catch (const Error& e) {
        return failure(e.what());
    }
}

ActionResult SessionExecutor::tree(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    ActionResult r;
    const a11y::TreeFilter filter = action.interactive_only ? a11y::TreeFilter::Interactive : a11y::TreeFilter::All;
    r.json = a11y_->tree_text(a11y::parse_format(action.tree_format), filter, scale_factors());
    if (observation_hook_) observation_hook_("tree", "application/json", r.json);
    return r;
}

ActionResult SessionExecutor::hit_test(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    if (!action.point) return failure("hit_test needs a point");
    ActionResult r;
    const auto element = a11y_->hit_test(to_screen(*action.point));
    r.json = element ? nlohmann::json{{"element", element_json(*element, desktop_.scale())}}.dump()
                     : nlohmann::json{{"element", nullptr}}.dump();
    return r;
}

ActionResult SessionExecutor::element_action(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    if (!action.element) return failure(std::string(to_string(action.kind)) + " needs a role and/or name");
    const a11y::Element e = a11y_->resolve(*action.element);  // refuses 0 or several matches
    ActionResult r;
    if (action.kind == ActionKind::FocusElement) {
        const std::string how = a11y_->act(e, a11y::ElementAction::Focus);
        r.json = nlohmann::json{{"element", element_json(e, desktop_.scale())}, {"via", how}}.dump();
        return r;
    }
    if (!e.bbox) return failure("the element " + a11y::describe_element(e) + " has no box on screen");
    // Act where a person would: a real click at the element's centre, so the
    // app sees ordinary input events (and the gate's hit-test saw the same spot).
    const Point c = a11y::centre(*e.bbox);
    if (c.x < 0 || c.y < 0 || c.x >= desktop_.scale().screen_width() || c.y >= desktop_.scale().screen_height())
        return failure("the element " + a11y::describe_element(e) + " is off screen");
    XInput& input = desktop_.input();
    input.move(c.x, c.y);
    input.click(1, 1);
    if (action.kind == ActionKind::TypeInto) input.type_text(action.text);
    input.sync();
    r.json = nlohmann::json{{"element", element_json(e, desktop_.scale())}, {"via", "pointer"}}.dump();
    return r;
}

std::optional<FocusedWindow> SessionExecutor::focused_window() {
    Window focus = 0;
    int revert = 0;
    XGetInputFocus(display_, &focus, &revert);
    if (focus == None || focus == PointerRoot) {
        if (auto active = ewmh_active_window(display_)) focus = *active;
        else return std::nullopt;
    }
    // Walk up to the first window that carries WM_CLASS or a title (the top-level).
    Window w = focus;
    for (int depth = 0; depth < 32 && w != None; ++depth) {
        if (auto info = window_info(display_, w); info && (!info->wm_class.empty() || !info->title.empty()))
            return FocusedWindow{info->wm_class.empty() ? info->wm_instance : info->wm_class, info->title};
        Window root = 0, parent = 0, *children = nullptr;
        unsigned int count = 0;
        if (!XQueryTree(display_, w, &root, &parent, &children, &count)) break;
        if (children) XFree(children);
        if (parent == root) break;
        w = parent;
    }
    return std::nullopt;
}

std::string SessionExecutor::focused_browser_url() {
    if (!a11y_) return {};
    try {
        const auto window = focused_window();
        if (!window) return {};
        const a11y::BrowserContext browser = a11y_->browser_context();
        // The showing document counts only when its window is the focused one.
        if (browser.url.empty() || browser.window != window->title) return {};
        return browser.url;
    } catch (const Error&) {
        return {};  // no browser document showing: no URL to report
    }
}

GateContext SessionExecutor::context_for(const Action& action) {
    GateContext context;
    try {
        context.window = focused_window();
    } catch (const Error&) {
        // An unreadable window leaves the context without one; rules on windows then do not match.
    }
    if (!a11y_) return context;
    try {
        if (action.element &&
            (action.kind == ActionKind::ClickElement || action.kind == ActionKind::TypeInto ||
             action.kind == ActionKind::FocusElement)) {
            const a11y::FindResult found = a11y_->find(*action.element);
            if (found.matches.size() == 1) {
                const auto& e = found.matches[0];
                context.target = TargetElement{e.role, e.name, e.bbox};
            }
        } else if (action.point && !is_observation(action.kind)) {
            if (auto e = a11y_->hit_test(to_screen(*action.point))) context.target = TargetElement{e->role, e->name, e->bbox};
        }
        if (!is_observation(action.kind)) context.domain = host_of_url(a11y_->browser_context().url);
    } catch (const Error&) {
        // Grounding problems surface when the action runs; the gate decides on what is known.
    }
    return context;
}

}  // namespace deskbox
