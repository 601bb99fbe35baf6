// SessionExecutor's answer-later form (ActionExecutor::execute_later): the
// actions that ask the accessibility helper send their question through the
// loop's lookups (a11y::LoopLookups) and finish when the answer comes, so an
// app that is slow to answer (or stopped) holds only its own agent's request,
// never the loop: other agents, the reviewers and the kill switch are served
// meanwhile. A question that times out fails the action with the same error
// the blocking call gave.
#include "supervisor/session/session_executor.h"
#include "xsession/a11y/a11y_match.h"
#include "xsession/a11y/loop_lookups.h"

namespace deskbox {
namespace {

ActionResult failed(const std::string& why) {
    ActionResult r;
    r.ok = false;
    r.error = why;
    return r;
}

}  // namespace

bool SessionExecutor::answers_later(const Action& action) const {
    if (!loop_lookups_) return false;
    switch (action.kind) {
        case ActionKind::Tree:
            return true;
        case ActionKind::HitTest:
            return action.point.has_value();
        case ActionKind::ClickElement:
        case ActionKind::TypeInto:
        case ActionKind::FocusElement:
            return action.element.has_value();
        case ActionKind::TypeSecret:
            return action.element.has_value() && secrets_ != nullptr;
        default:
            return false;
    }
}

void SessionExecutor::execute_later(const Action& action, const CaptureOptions& capture,
                                    std::function<void(ActionResult)> done) {
    if (!answers_later(action)) {
        if (!loop_lookups_ || !capture.current_url) {
            done(execute(action, capture));
            return;
        }
        // The picture now; the browser's URL (OpenAI's current_url) through the loop.
        CaptureOptions picture_only = capture;
        picture_only.current_url = false;
        ActionResult result = execute(action, picture_only);
        if (!result.ok || !result.image) {
            done(std::move(result));
            return;
        }
        focused_browser_url_later([result = std::move(result), done = std::move(done)](std::string url) mutable {
            result.current_url = std::move(url);
            done(std::move(result));
        });
        return;
    }
    switch (action.kind) {
        case ActionKind::Tree:
            loop_lookups_->tree([this, action, done = std::move(done)](const a11y::Looked<a11y::Tree>& all) {
                done(guarded([&] { return tree_result(action, all.value_or_throw()); }));
            });
            return;
        case ActionKind::HitTest:
            loop_lookups_->hit_test(
                to_screen(action.point.value_or(Point{})),
                [this, done = std::move(done)](const a11y::Looked<std::optional<a11y::Element>>& seen) {
                    done(guarded([&] { return hit_test_result(seen.value_or_throw()); }));
                });
            return;
        default:
            element_action_later(action, std::move(done));
            return;
    }
}

void SessionExecutor::element_action_later(const Action& action, std::function<void(ActionResult)> done) {
    if (!action.element) {
        done(failed(std::string(to_string(action.kind)) + " needs a role and/or name"));
        return;
    }
    loop_lookups_->find(
        *action.element, [this, action, done = std::move(done)](const a11y::Looked<a11y::FindResult>& found) mutable {
            std::optional<a11y::Element> element;
            ActionResult refused = guarded([&] {
                const a11y::FindResult& r = found.value_or_throw();
                // Refuses no match, several, and a search cut short.
                element = a11y::resolve_one(r.matches, r.truncated, r.truncated_reason, action.element.value());
                return ActionResult{};
            });
            if (!element) {
                done(std::move(refused));
                return;
            }
            if (action.kind != ActionKind::FocusElement) {
                done(guarded([&] { return act_on_element(action, *element); }));
                return;
            }
            loop_lookups_->act(*element, a11y::ElementAction::Focus, {},
                               [this, e = *element, done = std::move(done)](const a11y::Looked<std::string>& how) {
                                   done(guarded([&] { return focused_result(e, how.value_or_throw()); }));
                               });
        });
}

void SessionExecutor::focused_browser_url_later(std::function<void(std::string)> done) {
    std::optional<FocusedWindow> window;
    try {
        window = focused_window();
    } catch (const Error&) {
    }
    if (!window) {
        done({});
        return;
    }
    loop_lookups_->focused([this, window = *window,
                            done = std::move(done)](const a11y::Looked<std::optional<a11y::Element>>& seen) mutable {
        if (!seen.value) {
            done({});  // the helper could not say: no URL to report
            return;
        }
        if (auto url = url_of_focused(*seen.value, window)) {
            done(std::move(*url));
            return;
        }
        loop_lookups_->browser_context({}, window.title,
                                       [window, done = std::move(done)](const a11y::Looked<a11y::BrowserContext>& b) {
                                           done(b.value ? url_of_browser(*b.value, window) : std::string());
                                       });
    });
}

}  // namespace deskbox
