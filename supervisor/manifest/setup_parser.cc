#include "supervisor/manifest/setup_parser.h"

#include <algorithm>

#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

constexpr Millis kMinWait(100), kMaxWait(10 * 60 * 1000);

ElementSpec parse_element(StrictMap& m) {
    ElementSpec e;
    e.role = m.string("role", "");
    e.name = m.string("name", "");
    return e;
}

ElementSpec element_of(const YamlContext& ctx, const YAML::Node& n, const std::string& where,
                       std::initializer_list<std::string_view> extra = {}, std::string* value = nullptr,
                       const char* value_key = nullptr) {
    StrictMap m(ctx, n, where);
    ElementSpec e = parse_element(m);
    if (value && value_key) *value = m.required_string(value_key);
    m.finish(extra);
    if (e.empty()) ctx.fail(n, where + ": expected role or name");
    return e;
}

WaitSpec parse_wait(const YamlContext& ctx, const YAML::Node& n, const std::string& where, bool window_only) {
    StrictMap m(ctx, n, where);
    WaitSpec w;
    w.wm_class = m.string("wm_class", "");
    w.title = m.string("title", "");
    if (!window_only) w.element = parse_element(m);
    w.timeout = m.duration("timeout", w.timeout, kMinWait, kMaxWait);
    m.finish();
    if (window_only && !w.is_window()) ctx.fail(n, where + ": expected wm_class or title");
    if (!window_only && w.is_window() == !w.element.empty())
        ctx.fail(n, where + ": expected a window (wm_class and/or title) or an element (role and/or name), not both");
    return w;
}

void check_app(const YamlContext& ctx, const YAML::Node& at, const std::string& where, const std::string& app,
               const Manifest& m) {
    const bool known = std::any_of(m.apps.begin(), m.apps.end(), [&](const AppSpec& a) { return a.name == app; });
    if (!known) ctx.fail(at, where + ": no app named '" + app + "' in apps");
}

void check_secret(const YamlContext& ctx, const YAML::Node& at, const std::string& where, const std::string& name,
                  const Manifest& m) {
    const bool known =
        std::any_of(m.secrets.begin(), m.secrets.end(), [&](const SecretRef& s) { return s.name == name; });
    if (!known) ctx.fail(at, where + ": no secret named '" + name + "' in secrets");
}

void parse_open(const YamlContext& ctx, const YAML::Node& n, const std::string& where, const Manifest& m,
                SetupStep& s) {
    StrictMap om(ctx, n, where);
    s.url = om.string("url", "");
    s.file = om.string("file", "");
    YAML::Node app = om.require("app");
    s.app = read_string(ctx, app, where + ".app");
    om.finish();
    if (s.url.empty() == s.file.empty()) ctx.fail(n, where + ": expected exactly one of url, file");
    if (!s.url.empty() && s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0)
        ctx.fail(n, where + ".url: expected an http:// or https:// URL, got '" + s.url + "'");
    if (!s.file.empty() && s.file.rfind("~/", 0) != 0 && s.file[0] != '/')
        ctx.fail(n, where + ".file: expected an absolute path or one starting with ~/, got '" + s.file + "'");
    check_app(ctx, app, where + ".app", s.app, m);
}

void parse_login(const YamlContext& ctx, const YAML::Node& n, const std::string& where, const Manifest& m,
                 SetupStep& s) {
    StrictMap lm(ctx, n, where);
    s.user_field = element_of(ctx, lm.require("user"), where + ".user", {}, &s.user, "value");
    YAML::Node password = lm.require("password");
    s.password_field = element_of(ctx, password, where + ".password", {}, &s.secret, "secret");
    check_secret(ctx, password, where + ".password.secret", s.secret, m);
    s.submit = element_of(ctx, lm.require("submit"), where + ".submit");
    s.wait = parse_wait(ctx, lm.require("wait_for"), where + ".wait_for", false);
    lm.finish();
}

SetupStep parse_step(const YamlContext& ctx, const YAML::Node& item, std::size_t index, const Manifest& m) {
    const std::string where = "setup[" + std::to_string(index) + "]";
    if (!item.IsMap() || item.size() != 1)
        ctx.fail(item, where +
                           ": expected one step (open, launch, wait_for, activate_window, key, type, "
                           "click_element, login), got " +
                           describe_node(item));
    const auto kv = *item.begin();
    const std::string kind = read_string(ctx, kv.first, where);
    const YAML::Node& n = kv.second;
    const std::string at = where + "." + kind;
    SetupStep s;
    s.line = item.Mark().line + 1;
    if (kind == "open") {
        s.kind = SetupStep::Kind::Open;
        parse_open(ctx, n, at, m, s);
    } else if (kind == "launch") {
        s.kind = SetupStep::Kind::Launch;
        StrictMap lm(ctx, n, at);
        YAML::Node exec = lm.require("exec");
        s.exec = read_string_list(ctx, exec, at + ".exec");
        if (s.exec.empty()) ctx.fail(exec, at + ".exec: must name a program");
        lm.finish();
    } else if (kind == "wait_for") {
        s.kind = SetupStep::Kind::WaitFor;
        s.wait = parse_wait(ctx, n, at, false);
    } else if (kind == "activate_window") {
        s.kind = SetupStep::Kind::ActivateWindow;
        s.wait = parse_wait(ctx, n, at, true);
    } else if (kind == "key") {
        s.kind = SetupStep::Kind::Key;
        s.keys = read_string(ctx, n, at);
        try {
            parse_chord(s.keys);
        } catch (const Error& e) {
            ctx.fail(n, at + ": " + e.what() + " (expected a key chord like ctrl+l)");
        }
    } else if (kind == "type") {
        s.kind = SetupStep::Kind::Type;
        s.text = read_string(ctx, n, at);
    } else if (kind == "click_element") {
        s.kind = SetupStep::Kind::ClickElement;
        s.element = element_of(ctx, n, at);
    } else if (kind == "login") {
        s.kind = SetupStep::Kind::Login;
        parse_login(ctx, n, at, m, s);
    } else {
        std::string message = where + ": unknown step '" + kind + "'";
        if (auto near = nearest_word(
                kind, {"open", "launch", "wait_for", "activate_window", "key", "type", "click_element", "login"}))
            message += " (did you mean '" + *near + "'?)";
        ctx.fail(kv.first, message);
    }
    return s;
}

}  // namespace

const char* to_string(SetupStep::Kind kind) {
    switch (kind) {
        case SetupStep::Kind::Open:
            return "open";
        case SetupStep::Kind::Launch:
            return "launch";
        case SetupStep::Kind::WaitFor:
            return "wait_for";
        case SetupStep::Kind::ActivateWindow:
            return "activate_window";
        case SetupStep::Kind::Key:
            return "key";
        case SetupStep::Kind::Type:
            return "type";
        case SetupStep::Kind::ClickElement:
            return "click_element";
        case SetupStep::Kind::Login:
            return "login";
    }
    return "?";
}

void parse_secret_use(StrictMap& secret, SecretUse& use) {
    const YamlContext& ctx = secret.context();
    if (YAML::Node f = secret.get("fields"); f.IsDefined()) {
        if (!f.IsSequence())
            ctx.fail(f, secret.path_of("fields") + ": expected a list of {role, name}, got " + describe_node(f));
        for (std::size_t i = 0; i < f.size(); ++i)
            use.fields.push_back(element_of(ctx, f[i], secret.path_of("fields") + "[" + std::to_string(i) + "]"));
    }
    if (YAML::Node w = secret.get("windows"); w.IsDefined()) {
        if (!w.IsSequence())
            ctx.fail(w, secret.path_of("windows") + ": expected a list of {class}, got " + describe_node(w));
        for (std::size_t i = 0; i < w.size(); ++i) {
            StrictMap wm(ctx, w[i], secret.path_of("windows") + "[" + std::to_string(i) + "]");
            use.window_classes.push_back(wm.required_string("class"));
            wm.finish();
        }
    }
}

std::vector<SetupStep> parse_setup(const YamlContext& ctx, const YAML::Node& list, const Manifest& m) {
    if (!list.IsSequence()) ctx.fail(list, "setup: expected a list of steps, got " + describe_node(list));
    std::vector<SetupStep> steps;
    for (std::size_t i = 0; i < list.size(); ++i) steps.push_back(parse_step(ctx, list[i], i, m));
    return steps;
}

}  // namespace deskbox
