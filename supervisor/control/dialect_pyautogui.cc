// OSWorld's default action space, "pyautogui": the model writes Python,
// {"code":"import pyautogui\npyautogui.click(640, 400)\npyautogui.typewrite('RUN-78432')"}.
// The code is parsed (pyautogui_parser.h), never executed: each allowed call
// becomes one normalized action, run in order through the gate like a batch.
// A request with anything outside the subset is refused whole before any of
// it runs. Signatures and defaults are pyautogui 0.9.54's; what each maps to:
// docs/protocol.md, "OSWorld pyautogui".
#include <algorithm>
#include <cmath>
#include <map>

#include "supervisor/control/agent_request.h"
#include "supervisor/control/pyautogui_parser.h"
#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

// OSWorld's WAIT: its environment pauses 2 s per step (as computer_13's WAIT).
constexpr Millis kOsworldWait{2000};
constexpr long kMaxPresses = 100;

// A function's positional parameters in pyautogui's order, and the keyword
// names accepted beyond them. Parameters that would change the action in ways
// deskbox does not carry out (tween, mouseDownUp, logScreenshot, _pause) are
// not accepted at all; duration and interval only pace pyautogui's own
// motion and typing and are accepted and checked, actions being instant here.
struct Signature {
    const char* name;
    std::vector<const char*> params;
};

const std::vector<Signature>& signatures() {
    static const std::vector<Signature> table = {
        {"click", {"x", "y", "clicks", "interval", "button", "duration"}},
        {"doubleClick", {"x", "y", "interval", "button", "duration"}},
        {"tripleClick", {"x", "y", "interval", "button", "duration"}},
        {"rightClick", {"x", "y", "duration"}},
        {"middleClick", {"x", "y", "duration"}},
        {"moveTo", {"x", "y", "duration"}},
        {"moveRel", {"xOffset", "yOffset", "duration"}},
        {"dragTo", {"x", "y", "duration", "tween", "button"}},
        {"dragRel", {"xOffset", "yOffset", "duration", "tween", "button"}},
        {"mouseDown", {"x", "y", "button", "duration"}},
        {"mouseUp", {"x", "y", "button", "duration"}},
        {"scroll", {"clicks", "x", "y"}},
        {"hscroll", {"clicks", "x", "y"}},
        {"vscroll", {"clicks", "x", "y"}},
        {"typewrite", {"message", "interval"}},
        {"write", {"message", "interval"}},
        {"press", {"keys", "presses", "interval"}},
        {"hotkey", {}},  // *keys, interval=
        {"keyDown", {"key"}},
        {"keyUp", {"key"}},
    };
    return table;
}

const Signature* signature(std::string_view function) {
    for (const auto& s : signatures())
        if (function == s.name) return &s;
    return nullptr;
}

bool allowed_call(std::string_view module, std::string_view function) {
    if (module == "time") return function == "sleep";
    return module == "pyautogui" && signature(function) != nullptr;
}

// A call's arguments by parameter name, checked against its signature.
class Args {
public:
    Args(const PyCall& call, const std::vector<const char*>& params) : call_(call) {
        std::size_t positional = 0;
        for (const auto& a : call.args) {
            std::string name = a.keyword;
            if (name.empty()) {
                if (positional >= params.size())
                    fail(a.pos, "invalid_field",
                         "takes at most " + std::to_string(params.size()) + " positional arguments");
                name = params[positional++];
            } else if (std::find_if(params.begin(), params.end(), [&](const char* p) { return name == p; }) ==
                       params.end()) {
                fail(a.pos, "invalid_field", "has no keyword argument '" + name + "' in the subset");
            }
            if (name == "tween") fail(a.pos, "invalid_field", "argument 'tween' is outside the subset");
            if (values_.count(name)) fail(a.pos, "invalid_field", "got two values for argument '" + name + "'");
            values_.emplace(name, &a.value);
        }
    }

    const PyValue* find(const std::string& name) const {
        auto it = values_.find(name);
        if (it == values_.end() || it->second->kind == PyValue::Kind::None) return nullptr;
        return it->second;
    }

    [[noreturn]] void fail(SourcePos pos, const std::string& code, const std::string& what) const {
        throw ProtocolError(code, to_string(pos) + ": " + call_.function + " " + what);
    }
    [[noreturn]] void bad(const PyValue& v, const std::string& name, const std::string& expected) const {
        fail(v.pos, "invalid_field", "argument '" + name + "' must be " + expected);
    }

    std::optional<double> number(const std::string& name, double min, double max) const {
        const PyValue* v = find(name);
        if (!v) return std::nullopt;
        if (v->kind != PyValue::Kind::Int && v->kind != PyValue::Kind::Float) bad(*v, name, "a number");
        if (v->number < min || v->number > max)
            fail(v->pos, "out_of_range",
                 "argument '" + name + "' is outside " + std::to_string(static_cast<long>(min)) + ".." +
                     std::to_string(static_cast<long>(max)));
        return v->number;
    }

    std::optional<long> integer(const std::string& name, long min, long max) const {
        const PyValue* v = find(name);
        if (!v) return std::nullopt;
        if (v->kind != PyValue::Kind::Int) bad(*v, name, "an integer");
        if (v->integer < min || v->integer > max)
            fail(v->pos, "out_of_range",
                 "argument '" + name + "' is " + std::to_string(v->integer) + ", outside " + std::to_string(min) +
                     ".." + std::to_string(max));
        return v->integer;
    }

    const PyValue& required(const std::string& name) const {
        const PyValue* v = find(name);
        if (!v) fail(call_.pos, "missing_field", "needs argument '" + name + "'");
        return *v;
    }
    double required_number(const std::string& name, double min, double max) const {
        required(name);
        const std::optional<double> n = number(name, min, max);
        if (!n) fail(call_.pos, "missing_field", "needs argument '" + name + "'");
        return *n;
    }
    long required_integer(const std::string& name, long min, long max) const {
        required(name);
        const std::optional<long> n = integer(name, min, max);
        if (!n) fail(call_.pos, "missing_field", "needs argument '" + name + "'");
        return *n;
    }

    // Pacing only (see Signature): checked, then not needed.
    void pacing() const {
        number("duration", 0, kMaxDurationMs / 1000.0);
        number("interval", 0, kMaxDurationMs / 1000.0);
    }

    // x and y (numbers, rounded as OSWorld's coordinates are), or x as an
    // (x, y) pair; both or neither.
    std::optional<Point> point(CoordinateSpace space) const {
        const PyValue* x = find("x");
        const PyValue* y = find("y");
        if (x && x->kind == PyValue::Kind::List && !y) {
            if (x->items.size() != 2) bad(*x, "x", "a number or an (x, y) pair");
            return checked_point(coordinate(x->items[0], "x"), coordinate(x->items[1], "y"), x->pos, space);
        }
        if (!x && !y) return std::nullopt;
        if (!x || !y) fail(call_.pos, "missing_field", "needs both 'x' and 'y' (or neither)");
        return checked_point(coordinate(*x, "x"), coordinate(*y, "y"), x->pos, space);
    }

    Point offset() const {
        const PyValue* dx = find("xOffset");
        const PyValue* dy = find("yOffset");
        return Point{dx ? coordinate(*dx, "xOffset") : 0, dy ? coordinate(*dy, "yOffset") : 0};
    }

    MouseButton button() const {
        const PyValue* v = find("button");
        if (!v) return MouseButton::Left;
        if (v->kind != PyValue::Kind::String) bad(*v, "button", "a string");
        if (v->text == "left" || v->text == "primary") return MouseButton::Left;
        if (v->text == "right" || v->text == "secondary") return MouseButton::Right;
        if (v->text == "middle") return MouseButton::Middle;
        fail(v->pos, "invalid_field",
             "argument 'button' must be left, right, middle, primary or secondary, got '" + utf8_prefix(v->text, 32) +
                 "'");
    }

    std::vector<std::string> key(const PyValue& v, const std::string& name) const {
        if (v.kind != PyValue::Kind::String) bad(v, name, "a key name");
        try {
            return pyautogui_key(v.text);
        } catch (const ProtocolError& e) {
            fail(v.pos, e.code(), "argument '" + name + "': " + e.what());
        }
    }

private:
    int coordinate(const PyValue& v, const std::string& name) const {
        if (v.kind != PyValue::Kind::Int && v.kind != PyValue::Kind::Float) bad(v, name, "a number");
        if (std::fabs(v.number) > 1e9) fail(v.pos, "out_of_range", "argument '" + name + "' is outside the screen");
        return static_cast<int>(std::lround(v.number));
    }

    Point checked_point(int x, int y, SourcePos pos, CoordinateSpace space) const {
        try {
            return Fields(Json::object(), space).point(x, y, "point (x, y)");
        } catch (const ProtocolError& e) {
            fail(pos, e.code(), e.what());
        }
    }

    const PyCall& call_;
    std::map<std::string, const PyValue*> values_;
};

Action pointer(ActionKind kind, MouseButton button, std::optional<Point> at) {
    Action a;
    a.kind = kind;
    a.button = button;
    a.point = at;
    return a;
}

Action key_action(ActionKind kind, std::vector<std::string> keys) {
    Action a;
    a.kind = kind;
    a.keys = std::move(keys);
    return a;
}

// One call to its actions, appended to `steps`.
void normalize(const PyCall& call, CoordinateSpace space, std::vector<Action>& steps) {
    if (call.function == "WAIT" || call.function == "DONE" || call.function == "FAIL") {
        Action a;
        a.kind = call.function == "WAIT"   ? ActionKind::Wait
                 : call.function == "DONE" ? ActionKind::Done
                                           : ActionKind::Fail;
        if (a.kind == ActionKind::Wait) a.duration = kOsworldWait;
        steps.push_back(a);
        return;
    }
    if (call.function == "time.sleep") {
        static const std::vector<const char*> params = {"secs"};
        const Args args(call, params);
        Action a;
        a.kind = ActionKind::Wait;
        a.duration = Millis(std::lround(args.required_number("secs", 0, kMaxDurationMs / 1000.0) * 1000.0));
        steps.push_back(a);
        return;
    }
    const std::string f = call.function.substr(call.function.find('.') + 1);
    const Signature& sig = *signature(f);
    if (f == "hotkey") {
        // hotkey('ctrl', 'c') or hotkey(['ctrl', 'c']); interval= paces it.
        std::vector<const PyValue*> keys;
        PyCall rest{call.function, {}, call.pos};  // the keyword arguments
        for (const auto& a : call.args) {
            if (!a.keyword.empty())
                rest.args.push_back(a);
            else if (a.value.kind == PyValue::Kind::List)
                for (const auto& item : a.value.items) keys.push_back(&item);
            else
                keys.push_back(&a.value);
        }
        static const std::vector<const char*> hotkey_kw = {"interval"};
        const Args kw(rest, hotkey_kw);
        kw.pacing();
        if (keys.empty()) kw.fail(call.pos, "missing_field", "names no key");
        Action a;
        a.kind = ActionKind::Key;
        for (const PyValue* k : keys)
            for (auto& sym : kw.key(*k, "keys")) a.keys.push_back(std::move(sym));
        if (a.keys.size() > kMaxChordKeys)
            kw.fail(call.pos, "too_large", "presses more than " + std::to_string(kMaxChordKeys) + " keys together");
        steps.push_back(std::move(a));
        return;
    }
    const Args args(call, sig.params);
    args.pacing();
    if (f == "click" || f == "doubleClick" || f == "tripleClick") {
        long clicks = f == "click" ? args.integer("clicks", 1, 3).value_or(1) : f == "doubleClick" ? 2 : 3;
        const ActionKind kind = clicks == 1   ? ActionKind::Click
                                : clicks == 2 ? ActionKind::DoubleClick
                                              : ActionKind::TripleClick;
        steps.push_back(pointer(kind, args.button(), args.point(space)));
    } else if (f == "rightClick" || f == "middleClick") {
        steps.push_back(pointer(ActionKind::Click, f == "rightClick" ? MouseButton::Right : MouseButton::Middle,
                                args.point(space)));
    } else if (f == "moveTo") {
        auto at = args.point(space);
        if (!at) args.fail(call.pos, "missing_field", "needs 'x' and 'y'");
        steps.push_back(pointer(ActionKind::MouseMove, MouseButton::Left, at));
    } else if (f == "moveRel") {
        Action a = pointer(ActionKind::MouseMove, MouseButton::Left, args.offset());
        a.relative = true;
        steps.push_back(std::move(a));
    } else if (f == "dragTo" || f == "dragRel") {
        Action a = pointer(ActionKind::Drag, args.button(), std::nullopt);
        if (f == "dragTo") {
            auto at = args.point(space);
            if (!at) args.fail(call.pos, "missing_field", "needs 'x' and 'y'");
            a.path.push_back(*at);
        } else {
            a.path.push_back(args.offset());
            a.relative = true;
        }
        steps.push_back(std::move(a));
    } else if (f == "mouseDown" || f == "mouseUp") {
        steps.push_back(
            pointer(f == "mouseDown" ? ActionKind::MouseDown : ActionKind::MouseUp, args.button(), args.point(space)));
    } else if (f == "scroll" || f == "vscroll" || f == "hscroll") {
        Action a = pointer(ActionKind::Scroll, MouseButton::Left, args.point(space));
        const int clicks = static_cast<int>(args.required_integer("clicks", -kMaxScrollClicks, kMaxScrollClicks));
        // pyautogui: scroll(+n) scrolls up, hscroll(+n) right.
        if (f == "hscroll")
            a.scroll_x = clicks;
        else
            a.scroll_y = -clicks;
        steps.push_back(std::move(a));
    } else if (f == "typewrite" || f == "write") {
        const PyValue& message = args.required("message");
        if (message.kind == PyValue::Kind::String) {
            if (message.text.size() > kMaxTextBytes)
                args.fail(message.pos, "too_large",
                          "argument 'message' is more than " + std::to_string(kMaxTextBytes) + " bytes");
            if (message.text.empty()) return;  // pyautogui types nothing
            Action a;
            a.kind = ActionKind::Type;
            a.text = message.text;
            steps.push_back(std::move(a));
        } else if (message.kind == PyValue::Kind::List) {
            for (const auto& k : message.items) steps.push_back(key_action(ActionKind::Key, args.key(k, "message")));
        } else {
            args.bad(message, "message", "a string or a list of key names");
        }
    } else if (f == "press") {
        const PyValue& keys = args.required("keys");
        const long presses = args.integer("presses", 1, kMaxPresses).value_or(1);
        std::vector<std::vector<std::string>> each;
        if (keys.kind == PyValue::Kind::List) {
            for (const auto& k : keys.items) each.push_back(args.key(k, "keys"));
        } else {
            each.push_back(args.key(keys, "keys"));
        }
        if (static_cast<std::size_t>(presses) * each.size() > kMaxCodeSteps)
            args.fail(call.pos, "too_large", "presses more than " + std::to_string(kMaxCodeSteps) + " keys");
        for (long i = 0; i < presses; ++i)
            for (const auto& k : each) steps.push_back(key_action(ActionKind::Key, k));
    } else if (f == "keyDown" || f == "keyUp") {
        steps.push_back(key_action(f == "keyDown" ? ActionKind::KeyDown : ActionKind::KeyUp,
                                   args.key(args.required("key"), "key")));
    }
    if (steps.size() > kMaxCodeSteps)
        args.fail(call.pos, "too_large", "brings the request past " + std::to_string(kMaxCodeSteps) + " actions");
}

}  // namespace

std::vector<std::string> pyautogui_key(std::string_view key) {
    if (key.size() > kMaxKeyName)
        throw ProtocolError("too_large", "key name is more than " + std::to_string(kMaxKeyName) + " bytes");
    // pyautogui.press() takes one key name; a "ctrl+c" from a model is a chord.
    if (key.size() > 1 && key.find('+') != std::string_view::npos) return chord_or_error(key);
    return {key_or_error(key)};
}

void parse_pyautogui(const Fields& f, AgentRequest& out) {
    out.dialect = Dialect::OSWorld;
    out.action_name = "pyautogui";
    const std::string code = f.string("code", kMaxTextBytes);
    // Everything is parsed and checked before anything runs.
    const std::vector<PyCall> calls = parse_pyautogui_code(code, allowed_call);
    for (const auto& call : calls) normalize(call, f.space(), out.steps);
}

}  // namespace deskbox
