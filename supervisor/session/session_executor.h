// The session's ActionExecutor and GateContextProvider: the Desktop (X input
// and capture) for pixels and input, the accessibility client for the tree,
// hit-tests and element-grounded actions. It also tells the gate what an
// action would touch (focused window, target element, browser domain) and
// hands observations to the audit/taint hook.
#pragma once

#include <X11/Xlib.h>

#include <functional>
#include <memory>
#include <string>

#include "policy/gate.h"
#include "xsession/a11y/a11y_client.h"
#include "xsession/a11y/loop_lookups.h"
#include "xsession/actions/executor.h"
#include "xsession/desktop/desktop.h"

namespace deskbox {
class SecretStore;
}

namespace deskbox {

class SessionExecutor : public ActionExecutor, public GateContextProvider {
public:
    // Called after every observation the agent receives: kind is "screenshot",
    // "zoom" or "tree"; for trees `text` is the tree, for images `bytes` the image.
    using ObservationHook =
        std::function<void(const std::string& kind, const std::string& mime, const std::string& data)>;

    // `a11y` may be null (accessibility unavailable): tree, hit_test and
    // element actions then answer with an error saying so.
    // Which manifest app (apps[].name) a session pid belongs to; "" for none.
    // Throws deskbox::Error when it cannot tell (the app field is then unreadable).
    using AppOfPid = std::function<std::string(int pid)>;

    SessionExecutor(Desktop& desktop, Display* display, a11y::A11yClient* a11y, AppOfPid app_of_pid = {});

    void on_observation(ObservationHook hook) { observation_hook_ = std::move(hook); }
    // The manifest's secret values, for type_secret (null: the session has none).
    void set_secrets(const SecretStore* secrets) { secrets_ = secrets; }
    // Carries out an allowed `upload` (supervisor/session/upload.h); without
    // one, uploads fail saying the session cannot take files.
    using UploadHandler = std::function<ActionResult(const UploadRequest& upload)>;
    void on_upload(UploadHandler handler) { upload_ = std::move(handler); }

    ActionResult execute(const Action& action, const CaptureOptions& capture) override;
    // Once answer_lookups_on() was called, the actions that ask the
    // accessibility helper (tree, hit_test, element actions) answer later,
    // from the loop, which serves everything else meanwhile; the others run
    // at once (session_executor_later.cc).
    void execute_later(const Action& action, const CaptureOptions& capture,
                       std::function<void(ActionResult)> done) override;
    Point scaled_size() const override { return desktop_.scaled_size(); }

    GateContext context_for(const Action& action) override;
    // The proposal's form: its AT-SPI questions wait on the loop once
    // answer_lookups_on() was called (the loop serves everything else
    // meanwhile), otherwise they block as context_for's do.
    void lookup_context(const Action& action, ContextDone done) override;
    // Answers lookup_context's AT-SPI questions from `loop` (a11y::LoopLookups).
    void answer_lookups_on(EventLoop& loop);
    // Those loop lookups, for other questions asked on the loop (the
    // approval's screenshot); null without accessibility.
    a11y::A11yLookups* loop_lookups() { return loop_lookups_.get(); }

    // The window the keyboard reaches (class and title), if any. Throws
    // deskbox::Error when the X server cannot say.
    std::optional<FocusedWindow> focused_window();
    // The URL of the browser document in the focused window; empty when the
    // focused window shows none.
    std::string focused_browser_url();
    // focused_browser_url() through the loop's lookups (answer_lookups_on()
    // must have been called); "" when there is none.
    void focused_browser_url_later(std::function<void(std::string)> done);

private:
    ActionResult execute_now(const Action& action, const CaptureOptions& capture);
    // `work`'s result, or a failed one naming its error (with the candidates
    // when an element target matched several).
    ActionResult guarded(const std::function<ActionResult()>& work);
    ActionResult tree(const Action& action);
    ActionResult tree_result(const Action& action, const a11y::Tree& all);
    ActionResult hit_test(const Action& action);
    ActionResult hit_test_result(const std::optional<a11y::Element>& element) const;
    ActionResult element_action(const Action& action);
    ActionResult focused_result(const a11y::Element& e, const std::string& how) const;
    // A click (then keys) at the element's centre: what a person would do.
    ActionResult act_on_element(const Action& action, const a11y::Element& e);
    // What the focused element says of the focused window's URL: the URL, ""
    // (not a browser), or nullopt (ask the browser's showing document).
    static std::optional<std::string> url_of_focused(const std::optional<a11y::Element>& e,
                                                     const FocusedWindow& window);
    static std::string url_of_browser(const a11y::BrowserContext& browser, const FocusedWindow& window);
    // Whether execute_later answers `action` from the loop.
    bool answers_later(const Action& action) const;
    void element_action_later(const Action& action, std::function<void(ActionResult)> done);
    // type_secret: into its element (clicked first) or the focused one.
    ActionResult type_secret(const Action& action);
    void type_secret_value(const std::string& name);
    a11y::ScaleFactors scale_factors() const;
    std::optional<PixelPatch> pixels_around(Point screen);
    Point pointer_position();
    // Why keys typed now would reach no client window, or not the one the agent
    // points at (a window that cannot take the focus), or a window that cannot
    // be known; nullopt when they reach the focused client window.
    std::optional<std::string> keys_go_nowhere();
    Point to_screen(Point scaled) const { return desktop_.scale().to_screen(scaled); }

    // The context read in stages (gate_context: the element, then the window
    // and app from X, then the element there, then the browser's domain).
    struct ContextJob;
    void start_context(const Action& action, a11y::A11yLookups* lookups, ContextDone done);
    void context_window(const std::shared_ptr<ContextJob>& job);
    void context_domain(const std::shared_ptr<ContextJob>& job);
    void context_answer(const std::shared_ptr<ContextJob>& job);
    template <class Stage>
    void run_stage(const std::shared_ptr<ContextJob>& job, Stage stage);

    Desktop& desktop_;
    Display* display_;
    a11y::A11yClient* a11y_;
    std::unique_ptr<a11y::LoopLookups> loop_lookups_;  // set by answer_lookups_on
    AppOfPid app_of_pid_;
    ObservationHook observation_hook_;
    const SecretStore* secrets_ = nullptr;
    UploadHandler upload_;
};

}  // namespace deskbox
