#include "supervisor/session/session_executor.h"

#include <X11/Xutil.h>

#include <nlohmann/json.hpp>

#include "supervisor/audit/audit_record.h"
#include "supervisor/session/secret_store.h"
#include "xsession/a11y/a11y_match.h"
#include "xsession/a11y/loop_lookups.h"
#include "xsession/display/window_identity.h"
#include "xsession/display/windows.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

// Screenshot space = screen space times these (screenshot size / screen size).
a11y::ScaleFactors factors_of(const ScaleMap& s) {
    return {static_cast<double>(s.scaled_width()) / s.screen_width(),
            static_cast<double>(s.scaled_height()) / s.screen_height()};
}

// An element as the agent gets it: `box` in screen pixels (as the audit log
// and the gate see it), `box_scaled` and `center_scaled` in the agent's
// (screenshot) space, the same boxes the tree formats report.
nlohmann::json element_json(const a11y::Element& e, const ScaleMap& scale) {
    nlohmann::json j = {{"role", e.role}, {"name", e.name}, {"app", e.app}, {"window", e.window}};
    if (e.bbox) {
        j["box"] = {{"x", e.bbox->x}, {"y", e.bbox->y}, {"width", e.bbox->width}, {"height", e.bbox->height}};
        const Rect b = a11y::scale_rect(*e.bbox, factors_of(scale));
        j["box_scaled"] = {{"x", b.x}, {"y", b.y}, {"width", b.width}, {"height", b.height}};
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

SessionExecutor::SessionExecutor(Desktop& desktop, Display* display, a11y::A11yClient* a11y, AppOfPid app_of_pid)
    : desktop_(desktop), display_(display), a11y_(a11y), app_of_pid_(std::move(app_of_pid)) {}

a11y::ScaleFactors SessionExecutor::scale_factors() const {
    return factors_of(desktop_.scale());
}

ActionResult SessionExecutor::execute(const Action& action, const CaptureOptions& capture) {
    return guarded([&] { return execute_now(action, capture); });
}

ActionResult SessionExecutor::guarded(const std::function<ActionResult()>& work) {
    try {
        return work();
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

ActionResult SessionExecutor::execute_now(const Action& action, const CaptureOptions& capture) {
    {
        switch (action.kind) {
            case ActionKind::Tree:
                return tree(action);
            case ActionKind::HitTest:
                return hit_test(action);
            case ActionKind::ClickElement:
            case ActionKind::TypeInto:
            case ActionKind::FocusElement:
                return element_action(action);
            case ActionKind::TypeSecret:
                return type_secret(action);
            case ActionKind::Upload:
                if (!upload_ || !action.upload) return failure("this session cannot take uploaded files");
                return upload_(*action.upload);
            case ActionKind::Type:
            case ActionKind::Key:
                // Keys that no window would get vanish; say so instead of "done".
                if (auto why = keys_go_nowhere()) return failure(*why);
                break;
            default:
                break;
        }
        ActionResult result = desktop_.execute(action, capture);
        if (result.ok && result.image && observation_hook_)
            observation_hook_(to_string(action.kind), result.image->mime, result.image->bytes);
        if (result.ok && result.image && capture.current_url) result.current_url = focused_browser_url();
        return result;
    }
}

ActionResult SessionExecutor::tree(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    return tree_result(action, a11y_->tree(a11y::TreeFilter::All));
}

ActionResult SessionExecutor::tree_result(const Action& action, const a11y::Tree& all) {
    ActionResult r;
    const a11y::TreeFilter filter = action.interactive_only ? a11y::TreeFilter::Interactive : a11y::TreeFilter::All;
    r.json = a11y::format_tree(all, a11y::parse_format(action.tree_format), filter, scale_factors());
    if (observation_hook_) observation_hook_("tree", "application/json", r.json);
    return r;
}

ActionResult SessionExecutor::hit_test(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    if (!action.point) return failure("hit_test needs a point");
    return hit_test_result(a11y_->hit_test(to_screen(*action.point)));
}

ActionResult SessionExecutor::hit_test_result(const std::optional<a11y::Element>& element) const {
    ActionResult r;
    r.json = element ? nlohmann::json{{"element", element_json(*element, desktop_.scale())}}.dump()
                     : nlohmann::json{{"element", nullptr}}.dump();
    return r;
}

ActionResult SessionExecutor::element_action(const Action& action) {
    if (!a11y_) return failure("accessibility is not available in this session");
    if (!action.element) return failure(std::string(to_string(action.kind)) + " needs a role and/or name");
    const a11y::Element e = a11y_->resolve(*action.element);  // refuses 0 or several matches
    if (action.kind == ActionKind::FocusElement) return focused_result(e, a11y_->act(e, a11y::ElementAction::Focus));
    return act_on_element(action, e);
}

ActionResult SessionExecutor::focused_result(const a11y::Element& e, const std::string& how) const {
    ActionResult r;
    r.json = nlohmann::json{{"element", element_json(e, desktop_.scale())}, {"via", how}}.dump();
    return r;
}

ActionResult SessionExecutor::act_on_element(const Action& action, const a11y::Element& e) {
    ActionResult r;
    if (!e.bbox) return failure("the element " + a11y::describe_element(e) + " has no box on screen");
    // Act where a person would: a real click at the element's centre, so the
    // app sees ordinary input events (and the gate's hit-test saw the same spot).
    const Point c = a11y::centre(*e.bbox);
    if (c.x < 0 || c.y < 0 || c.x >= desktop_.scale().screen_width() || c.y >= desktop_.scale().screen_height())
        return failure("the element " + a11y::describe_element(e) + " is off screen");
    XInput& input = desktop_.input();
    input.move(c.x, c.y);
    input.click(1, 1);
    if (action.kind == ActionKind::TypeInto || action.kind == ActionKind::TypeSecret) {
        // The click went through the window manager (XInput::click waits for
        // it); a window that declines the focus leaves the keys elsewhere.
        input.sync();
        if (auto why = keys_go_nowhere()) return failure(*why + " (after clicking " + a11y::describe_element(e) + ")");
    }
    if (action.kind == ActionKind::TypeInto) input.type_text(action.text);
    if (action.kind == ActionKind::TypeSecret) type_secret_value(action.secret);
    input.sync();
    r.json = nlohmann::json{{"element", element_json(e, desktop_.scale())}, {"via", "pointer"}}.dump();
    return r;
}

ActionResult SessionExecutor::type_secret(const Action& action) {
    if (!secrets_) return failure("this session has no secrets");
    if (action.element) return element_action(action);
    if (auto why = keys_go_nowhere()) return failure(*why);
    type_secret_value(action.secret);
    desktop_.input().sync();
    return ActionResult{};
}

// The value is typed from the store's own copy; X keysyms are sent as the
// text is walked, and no copy of it is left behind in this process's strings.
void SessionExecutor::type_secret_value(const std::string& name) {
    secrets_->use(name, [this](const std::string& value) { desktop_.input().type_text(value); });
}

namespace {

bool is_keyboard(ActionKind k) {
    return k == ActionKind::Type || k == ActionKind::Key || k == ActionKind::KeyDown || k == ActionKind::KeyUp;
}
bool is_element(ActionKind k) {
    return k == ActionKind::ClickElement || k == ActionKind::TypeInto || k == ActionKind::FocusElement;
}
bool is_pointer(ActionKind k) {
    return !is_keyboard(k) && !is_element(k) && !is_observation(k) && k != ActionKind::Done && k != ActionKind::Fail &&
           k != ActionKind::TypeSecret && k != ActionKind::Upload;
}

FocusedWindow window_of(const ClientWindow& c) {
    FocusedWindow w;
    w.window_class = c.wm_class.empty() ? c.wm_instance : c.wm_class;
    w.instance = c.wm_instance;
    w.title = c.title;
    w.id = c.id;
    w.pid = c.pid;
    return w;
}

TargetElement target_of(const a11y::Element& e) {
    return TargetElement{e.role, e.name, e.bbox, e.states};
}

std::string describe_window(const FocusedWindow& w) {
    return "'" + w.window_class + "'" + (w.title.empty() ? "" : " ('" + w.title + "')");
}

// AT-SPI has no stacking order: what its hit test or focus tracking names
// counts only when it is in the X window the action really reaches (the
// accessible frame's name is the window's title for every toolkit seen).
bool in_window(const a11y::Element& e, const std::optional<FocusedWindow>& w) {
    return w && !e.window.empty() && e.window == w->title;
}

// Apps whose windows show web documents (AT-SPI toolkit names).
bool is_browser_engine(const std::string& toolkit) {
    std::string t = toolkit;
    for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return t.find("chrom") != std::string::npos || t.find("gecko") != std::string::npos ||
           t.find("webkit") != std::string::npos;
}

}  // namespace

std::optional<FocusedWindow> SessionExecutor::focused_window() {
    const KeyboardTarget k = keyboard_window(display_);
    if (!k.window) return std::nullopt;
    return window_of(*k.window);
}

std::string SessionExecutor::focused_browser_url() {
    if (!a11y_) return {};
    try {
        const auto window = focused_window();
        if (!window) return {};
        if (auto url = url_of_focused(a11y_->focused(), *window)) return *url;
        return url_of_browser(a11y_->browser_context({}, window->title), *window);
    } catch (const Error&) {
        return {};  // no browser document showing: no URL to report
    }
}

// Usually the focused element is in the page: its document's URL, no walk.
std::optional<std::string> SessionExecutor::url_of_focused(const std::optional<a11y::Element>& e,
                                                           const FocusedWindow& window) {
    if (!e || !in_window(*e, window)) return std::nullopt;
    if (!e->document_url.empty()) return e->document_url;
    if (!is_browser_engine(e->toolkit)) return std::string();  // not a browser at all
    return std::nullopt;
}

// The showing document counts only when its window is the focused one.
std::string SessionExecutor::url_of_browser(const a11y::BrowserContext& browser, const FocusedWindow& window) {
    if (browser.url.empty() || browser.window != window.title) return {};
    return browser.url;
}

std::optional<PixelPatch> SessionExecutor::pixels_around(Point screen) {
    const ScaleMap& s = desktop_.scale();
    constexpr int kHalf = 16;
    Rect area{std::max(0, screen.x - kHalf), std::max(0, screen.y - kHalf), 2 * kHalf, 2 * kHalf};
    area.width = std::min(area.width, s.screen_width() - area.x);
    area.height = std::min(area.height, s.screen_height() - area.y);
    if (area.width <= 0 || area.height <= 0) return std::nullopt;
    XErrorTrap trap(display_);
    XImage* image = XGetImage(display_, DefaultRootWindow(display_), area.x, area.y, static_cast<unsigned>(area.width),
                              static_cast<unsigned>(area.height), AllPlanes, ZPixmap);
    if (!trap.sync_and_get().empty() || !image) {
        if (image) XDestroyImage(image);
        return std::nullopt;
    }
    PixelPatch patch;
    patch.area = area;
    patch.rgb.reserve(static_cast<std::size_t>(area.width) * static_cast<std::size_t>(area.height) * 3);
    for (int y = 0; y < area.height; ++y)
        for (int x = 0; x < area.width; ++x) {
            const unsigned long px = XGetPixel(image, x, y);
            patch.rgb.push_back(static_cast<std::uint8_t>((px >> 16) & 0xff));
            patch.rgb.push_back(static_cast<std::uint8_t>((px >> 8) & 0xff));
            patch.rgb.push_back(static_cast<std::uint8_t>(px & 0xff));
        }
    XDestroyImage(image);
    patch.sha256 = sha256_hex_of(std::string(patch.rgb.begin(), patch.rgb.end()));
    return patch;
}

std::optional<std::string> SessionExecutor::keys_go_nowhere() {
    KeyboardTarget k;
    try {
        k = keyboard_window(display_);
    } catch (const Error& e) {
        // Unknown is never taken as "somewhere": the keys could reach any window.
        return std::string("the keyboard focus is not known (") + e.what() +
               "): nothing was typed; click the field first";
    }
    if (!k.window)
        return std::string(k.via_pointer ? "no window is under the pointer and none has the keyboard focus"
                                         : "the keyboard focus is on no application window") +
               ": the keys would go nowhere; click the field first";
    if (k.via_pointer) return std::nullopt;  // no window manager: the keys go where the pointer is
    // The agent pointed at a window that never takes the focus (ICCCM input
    // hint false): a click there left the focus elsewhere, so the keys would
    // reach another window than the one the agent looks at.
    std::optional<ClientWindow> under;
    try {
        const Point p = pointer_position();
        under = client_window_at(display_, p.x, p.y);
    } catch (const Error&) {
        return std::nullopt;  // the focus itself is known; where the pointer is does not decide
    }
    if (under && under->id != k.window->id && !under->takes_focus)
        return "the window " + describe_window(window_of(*under)) +
               " under the pointer cannot take the keyboard focus (it declines input focus); the keys would go to " +
               describe_window(window_of(*k.window)) + ": nothing was typed";
    return std::nullopt;
}

Point SessionExecutor::pointer_position() {
    Window root = 0, child = 0;
    int rx = 0, ry = 0, wx = 0, wy = 0;
    unsigned int mask = 0;
    if (!XQueryPointer(display_, DefaultRootWindow(display_), &root, &child, &rx, &ry, &wx, &wy, &mask))
        throw WindowUnreadable("the pointer is on another screen");
    return {rx, ry};
}

// One context read in progress. Its AT-SPI questions go through `lookups`:
// answered at once (BlockingLookups) or later from the loop (LoopLookups),
// each stage going on from the previous one's answer.
struct SessionExecutor::ContextJob {
    Action action;
    GateContext c;
    bool element_kind = false;
    bool keyboard_kind = false;
    std::optional<Point> point;                 // screen space: where a pointer or element action lands
    std::optional<a11y::Element> element_seen;  // what AT-SPI said the action reaches
    a11y::A11yLookups* lookups = nullptr;       // null: accessibility is not available
    ContextDone done;
    bool answered = false;
};

GateContext SessionExecutor::context_for(const Action& action) {
    std::optional<a11y::BlockingLookups> blocking;
    if (a11y_) blocking.emplace(*a11y_);
    std::optional<GateContext> got;
    std::string error;
    start_context(action, blocking ? &*blocking : nullptr, [&](GateContext c, std::string e) {
        got = std::move(c);
        error = std::move(e);
    });
    if (!error.empty()) throw Error(error);
    if (!got) throw Error("the context read did not finish");  // BlockingLookups answers before it returns
    return std::move(*got);
}

void SessionExecutor::lookup_context(const Action& action, ContextDone done) {
    a11y::A11yLookups* lookups = loop_lookups_ ? static_cast<a11y::A11yLookups*>(loop_lookups_.get()) : nullptr;
    std::optional<a11y::BlockingLookups> blocking;
    if (!lookups && a11y_) lookups = &blocking.emplace(*a11y_);
    start_context(action, lookups, std::move(done));
}

void SessionExecutor::answer_lookups_on(EventLoop& loop) {
    if (a11y_) loop_lookups_ = std::make_unique<a11y::LoopLookups>(loop, *a11y_);
}

// A stage that throws (beyond the lookup errors each stage names) ends the
// read with that error, as a synchronous read's exception did.
template <class Stage>
void SessionExecutor::run_stage(const std::shared_ptr<ContextJob>& job, Stage stage) {
    try {
        stage();
    } catch (const std::exception& e) {
        if (job->answered) throw;
        job->answered = true;
        job->done(GateContext{}, e.what()[0] ? e.what() : "unknown error");
    }
}

void SessionExecutor::context_answer(const std::shared_ptr<ContextJob>& job) {
    job->answered = true;
    job->done(std::move(job->c), {});
}

// Every field is filled, left absent, or named unreadable with the reason; no
// lookup error is swallowed. X answers which window and which app; AT-SPI
// refines which element, only within that window.
void SessionExecutor::start_context(const Action& action, a11y::A11yLookups* lookups, ContextDone done) {
    auto job = std::make_shared<ContextJob>();
    job->action = action;
    job->lookups = lookups;
    job->done = std::move(done);
    run_stage(job, [&] {
        const ActionKind kind = action.kind;
        // An upload reaches the file system, not a window: no window or element to read.
        if (kind == ActionKind::Done || kind == ActionKind::Fail || kind == ActionKind::Upload)
            return context_answer(job);
        // type_secret acts like type_into with an element, like type without one.
        job->element_kind = is_element(kind) || (kind == ActionKind::TypeSecret && action.element);
        job->keyboard_kind = is_keyboard(kind) || (kind == ActionKind::TypeSecret && !action.element);
        if (job->element_kind && action.element) {
            if (!lookups) {
                job->c.unreadable["target"] = "accessibility is not available in this session";
            } else {
                return lookups->find(*action.element, [this, job](a11y::Looked<a11y::FindResult> found) {
                    run_stage(job, [&] {
                        if (!found.value) {
                            job->c.unreadable["target"] = found.error;
                        } else if (found.value->matches.size() == 1) {
                            const a11y::Element& e = found.value->matches[0];
                            job->c.target = target_of(e);
                            job->element_seen = e;
                            if (e.bbox) job->point = a11y::centre(*e.bbox);
                        } else {
                            // The action itself refuses 0 or several matches, with the count.
                            job->c.unreadable["target"] = "expected one element matching the target, found " +
                                                          std::to_string(found.value->matches.size());
                        }
                        context_window(job);
                    });
                });
            }
        } else if (is_pointer(kind)) {
            if (action.point)
                job->point = to_screen(*action.point);
            else if (!action.path.empty())
                job->point = to_screen(action.path.front());
        }
        context_window(job);
    });
}

void SessionExecutor::context_window(const std::shared_ptr<ContextJob>& job) {
    GateContext& c = job->c;
    const ActionKind kind = job->action.kind;
    try {
        if (is_pointer(kind) && !job->point) job->point = pointer_position();
        if (const std::optional<Point> point = job->point) {
            if (auto w = client_window_at(display_, point->x, point->y)) c.window = window_of(*w);
        } else if (job->element_kind) {
            c.unreadable["window"] = "the element's place on screen is not known";
        } else {
            const KeyboardTarget k = keyboard_window(display_);
            if (k.window) c.window = window_of(*k.window);
            c.keys_follow_pointer = k.via_pointer;
        }
    } catch (const Error& e) {
        c.unreadable["window"] = e.what();
    }

    if (c.window) {
        if (c.window->pid <= 0) {
            c.unreadable["app"] = "window " + describe_window(*c.window) + " does not say which process owns it";
        } else if (app_of_pid_) {
            try {
                c.window->app = app_of_pid_(c.window->pid);
            } catch (const Error& e) {
                c.unreadable["app"] = e.what();
            }
        }
    } else if (!c.readable("window")) {
        c.unreadable["app"] = c.unreadable["window"];
    }
    if (is_observation(kind)) return context_answer(job);

    // The element under the point (pointer) or with keyboard focus (keys).
    if (!job->element_kind) {
        if (!c.readable("window")) {
            c.unreadable["target"] = "the window is not known: " + c.unreadable["window"];
        } else if (!c.window) {
            // Nothing is there (the root window): no element either.
        } else if (!job->lookups) {
            c.unreadable["target"] = "accessibility is not available in this session";
        } else {
            auto seen = [this, job](a11y::Looked<std::optional<a11y::Element>> e) {
                run_stage(job, [&] {
                    GateContext& got = job->c;
                    if (!e.value) {
                        got.unreadable["target"] = e.error;
                    } else if (*e.value && in_window(**e.value, got.window)) {
                        got.target = target_of(**e.value);
                        job->element_seen = *e.value;
                    } else {
                        got.unreadable["target"] =
                            std::string(job->keyboard_kind ? "the focused element" : "the element") + " in window " +
                            describe_window(*got.window) + " is not known (the app does not answer over accessibility)";
                    }
                    context_domain(job);
                });
            };
            if (job->keyboard_kind) return job->lookups->focused(std::move(seen));
            if (const std::optional<Point> point = job->point) return job->lookups->hit_test(*point, std::move(seen));
            c.unreadable["target"] = "the place the action reaches is not known";
        }
    }
    context_domain(job);
}

void SessionExecutor::context_domain(const std::shared_ptr<ContextJob>& job) {
    GateContext& c = job->c;
    if (const std::optional<Point> point = job->point) c.pixels = pixels_around(*point);

    // The domain is the host of the document in the window the action reaches:
    // asked only of a browser engine's app (its element says which), within that
    // window. Another app's window has no domain; an unknown element leaves it unknown.
    const auto& seen = job->element_seen;
    if (!job->lookups) {
        c.unreadable["domain"] = "accessibility is not available in this session";
    } else if (!seen) {
        if (!c.readable("target")) c.unreadable["domain"] = "the element is not known: " + c.unreadable["target"];
    } else if (!seen->document_url.empty()) {
        c.domain = host_of_url(seen->document_url);  // the document the element is in
    } else if (job->element_kind || is_browser_engine(seen->toolkit)) {
        // A found element carries neither its document nor its app's toolkit, and
        // a browser's own toolbar is in no document: ask for the window's document.
        return job->lookups->browser_context(
            seen->app, seen->window, [this, job](a11y::Looked<a11y::BrowserContext> b) {
                run_stage(job, [&] {
                    if (b.value) {
                        job->c.domain = host_of_url(b.value->url);
                    } else if (b.error.find("no browser document is showing") == std::string::npos) {
                        // No document showing in that window is an absent domain; anything else is unreadable.
                        job->c.unreadable["domain"] = b.error;
                    }
                    context_answer(job);
                });
            });
    }
    context_answer(job);
}

}  // namespace deskbox
