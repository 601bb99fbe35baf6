#include "supervisor/session/setup_runner.h"

#include <chrono>

#include "supervisor/base/event_loop.h"
#include "supervisor/manifest/secret_conditions.h"
#include "xsession/actions/keys.h"
#include "xsession/display/windows.h"

namespace deskbox {
namespace {

ElementTarget target_of(const ElementSpec& e) {
    ElementTarget t;
    t.role = e.role;
    t.name = e.name;
    return t;
}

// Runs one action through the agent's executor; its failure is the step's.
void act(SessionExecutor& executor, const Action& action) {
    const ActionResult r = executor.execute(action, CaptureOptions{});
    if (!r.ok) throw Error(r.error);
}

void click(SessionExecutor& executor, const ElementSpec& e) {
    Action a;
    a.kind = ActionKind::ClickElement;
    a.element = target_of(e);
    act(executor, a);
}

WindowInfo wait_window(Display* display, const WaitSpec& w) {
    WindowMatch match;
    match.wm_class = w.wm_class;
    match.title = w.title;
    try {
        return wait_for_window(display, match, w.timeout, "setup");
    } catch (const Error& e) {
        if (std::string(e.what()).find(" within ") == std::string::npos) throw;  // an X error, not the timeout
        throw Error("no window with " + match.describe() + " appeared within " + format_duration(w.timeout));
    }
}

void wait_for(SetupEnvironment& env, const WaitSpec& w) {
    if (w.is_window()) {
        wait_window(env.display, w);
        return;
    }
    if (!env.a11y) throw Error("accessibility is not available in this session");
    env.a11y->wait_for(target_of(w.element), w.timeout);
}

// Gives a window the keyboard focus and raises it: through the window manager
// when there is one (_NET_ACTIVE_WINDOW), directly otherwise.
void activate(Display* display, const WindowInfo& window) {
    XRaiseWindow(display, window.id);
    if (!ewmh_client_list(display).empty()) {
        XEvent e{};
        e.xclient.type = ClientMessage;
        e.xclient.window = window.id;
        e.xclient.message_type = XInternAtom(display, "_NET_ACTIVE_WINDOW", False);
        e.xclient.format = 32;
        e.xclient.data.l[0] = 2;  // source: a pager (the operator), not an app
        e.xclient.data.l[1] = CurrentTime;
        XSendEvent(display, DefaultRootWindow(display), False, SubstructureRedirectMask | SubstructureNotifyMask, &e);
    } else {
        XSetInputFocus(display, window.id, RevertToParent, CurrentTime);
    }
    XSync(display, False);
}

void login(SetupEnvironment& env, const SetupStep& s) {
    if (!env.a11y) throw Error("accessibility is not available in this session");
    // The page may still be loading: wait for its user field as long as for the result.
    env.a11y->wait_for(target_of(s.user_field), s.wait.timeout);
    Action user;
    user.kind = ActionKind::TypeInto;
    user.element = target_of(s.user_field);
    user.text = s.user;
    act(*env.executor, user);

    Action password;
    password.kind = ActionKind::TypeSecret;
    password.element = target_of(s.password_field);
    password.secret = s.secret;
    // The same conditions as the agent's type_secret: the right field, on a page
    // of the secret's domains (or an allowed window). Unknown refuses.
    if (auto refusal = secret_refusal(*env.secrets, s.secret, env.executor->context_for(password)))
        throw Error("the secret '" + s.secret + "' was not typed (" + refusal->condition + "): " + refusal->reason);
    act(*env.executor, password);
    click(*env.executor, s.submit);
    wait_for(env, s.wait);
}

void run_step(SetupEnvironment& env, const SetupStep& s) {
    switch (s.kind) {
        case SetupStep::Kind::Open:
        case SetupStep::Kind::Launch:
            env.spawn(s);
            return;
        case SetupStep::Kind::WaitFor:
            return wait_for(env, s.wait);
        case SetupStep::Kind::ActivateWindow:
            return activate(env.display, wait_window(env.display, s.wait));
        case SetupStep::Kind::Key: {
            Action a;
            a.kind = ActionKind::Key;
            a.keys = parse_chord(s.keys);
            return act(*env.executor, a);
        }
        case SetupStep::Kind::Type: {
            Action a;
            a.kind = ActionKind::Type;
            a.text = s.text;
            return act(*env.executor, a);
        }
        case SetupStep::Kind::ClickElement:
            return click(*env.executor, s.element);
        case SetupStep::Kind::Login:
            return login(env, s);
    }
}

}  // namespace

void run_setup(const std::vector<SetupStep>& steps, SetupEnvironment& env, AuditLog& log) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const SetupStep& s = steps[i];
        const std::string label =
            "setup[" + std::to_string(i) + "] " + to_string(s.kind) + " (manifest line " + std::to_string(s.line) + ")";
        nlohmann::json record = {{"step", i}, {"kind", to_string(s.kind)}, {"line", s.line}, {"by", "manifest"}};
        if (s.kind == SetupStep::Kind::Login) record["secret"] = s.secret;  // the name only
        const auto started = std::chrono::steady_clock::now();
        try {
            run_step(env, s);
        } catch (const Error& e) {
            record["outcome"] = "failed";
            record["error"] = e.what();
            log.append("setup", record, Durability::Sync);
            throw Error(label + ": " + e.what());
        }
        record["outcome"] = "done";
        record["ms"] = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started).count();
        log.append("setup", record, Durability::Sync);
    }
}

}  // namespace deskbox
