#include "supervisor/manifest/manifest_parser.h"

#include <arpa/inet.h>

#include <set>

#include "supervisor/base/strict_yaml.h"
#include "supervisor/manifest/files_parser.h"
#include "supervisor/manifest/setup_parser.h"

namespace deskbox {
namespace {

constexpr std::uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
constexpr Millis kSecond(1000);

std::filesystem::path resolve_against(const std::filesystem::path& base_dir, const std::string& p) {
    std::filesystem::path path(p);
    if (path.is_relative()) path = base_dir / path;
    return path.lexically_normal();
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void parse_display(StrictMap m, DisplaySpec& d) {
    d.width = static_cast<int>(m.integer("width", d.width, 320, 7680));
    d.height = static_cast<int>(m.integer("height", d.height, 200, 4320));
    d.depth = static_cast<int>(m.integer("depth", d.depth, 16, 24));
    if (d.depth != 16 && d.depth != 24) m.context().fail(m.get("depth"), "session.display.depth: expected 16 or 24");
    d.glx = m.boolean("glx", d.glx);
    if (YAML::Node wm = m.get("window_manager"); wm.IsDefined()) {
        const std::string path = m.path_of("window_manager");
        if (wm.IsScalar()) {
            // YAML's `false` and `none` both mean: no window manager at all.
            const std::string word = wm.Scalar();
            if (word == "none" || word == "false")
                d.window_manager_mode = DisplaySpec::WindowManager::Off;
            else if (word == "default")
                d.window_manager_mode = DisplaySpec::WindowManager::Default;
            else
                m.context().fail(
                    wm,
                    path + ": expected a list (the window manager's argv), default, none or false; got '" + word + "'");
        } else {
            d.window_manager = read_string_list(m.context(), wm, path);
            if (d.window_manager.empty()) m.context().fail(wm, path + ": must not be empty");
            d.window_manager_mode = DisplaySpec::WindowManager::Custom;
        }
    }
    m.finish();
}

void parse_budget(StrictMap m, BudgetSpec& b) {
    b.steps = static_cast<std::uint32_t>(m.integer("steps", b.steps, 0, 1'000'000));
    b.wall_clock = m.duration("wall_clock", b.wall_clock, kSecond, Millis(7LL * 86'400'000));
    b.actions_per_second = m.number("actions_per_second", b.actions_per_second, 0, 1000);
    m.finish();
}

void parse_session(StrictMap m, SessionSpec& s) {
    YAML::Node name = m.require("name");
    s.name = read_string(m.context(), name, "session.name");
    if (!valid_session_name(s.name))
        m.context().fail(name, "session.name: '" + s.name +
                                   "' is not a valid session name (expected 1-63 of a-z 0-9 . _ -, "
                                   "starting with a letter or digit)");
    if (YAML::Node n = m.get("display"); n.IsDefined())
        parse_display(StrictMap(m.context(), n, "session.display"), s.display);
    if (YAML::Node n = m.get("budget"); n.IsDefined())
        parse_budget(StrictMap(m.context(), n, "session.budget"), s.budget);
    m.finish();
}

void parse_files(const YamlContext& ctx, const YAML::Node& list, const std::filesystem::path& base,
                 std::vector<FilePlacement>& files) {
    if (!list.IsSequence()) ctx.fail(list, "sandbox.files: expected a list, got " + describe_node(list));
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "sandbox.files[" + std::to_string(i) + "]";
        StrictMap m(ctx, list[i], where);
        FilePlacement f;
        f.from = resolve_against(base, m.required_string("from"));
        YAML::Node to = m.require("to");
        f.to = read_string(ctx, to, where + ".to");
        if (!(f.to.rfind("~/", 0) == 0 || (!f.to.empty() && f.to[0] == '/')))
            ctx.fail(to, where + ".to: expected an absolute path or one starting with ~/, got '" + f.to + "'");
        if (f.to.find("..") != std::string::npos) ctx.fail(to, where + ".to: must not contain '..'");
        f.mode = m.one_of("mode", "copy", {"copy", "ro"}) == "ro" ? PlaceMode::ReadOnly : PlaceMode::Copy;
        m.finish();
        files.push_back(std::move(f));
    }
}

void parse_sandbox(StrictMap m, SandboxSpec& s, const std::filesystem::path& base) {
    s.memory = m.size("memory", s.memory, 64 * kMiB, 1024 * kGiB);
    s.pids = static_cast<std::uint32_t>(m.integer("pids", s.pids, 16, 1'000'000));
    s.cpu = m.number("cpu", s.cpu, 0.01, 1024);
    s.home_size = m.size("home_size", s.home_size, 1 * kMiB, 1024 * kGiB);
    s.tmp_size = m.size("tmp_size", s.tmp_size, 1 * kMiB, 1024 * kGiB);
    s.nofile = static_cast<std::uint64_t>(m.integer("nofile", static_cast<std::int64_t>(s.nofile), 64, 1 << 20));
    s.max_file_size = m.size("max_file_size", s.max_file_size, 1 * kMiB, 1024 * kGiB);
    if (YAML::Node n = m.get("files"); n.IsDefined()) parse_files(m.context(), n, base, s.files);
    m.finish();
}

ResolveTarget parse_resolve_target(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    const std::string text = read_string(ctx, n, where);
    ResolveTarget t;
    std::string host = text;
    // "127.0.0.1:8080", "[::1]:8080", "127.0.0.1"
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos)
            ctx.fail(n, where + ": expected an address like 127.0.0.1:8080, got '" + text + "'");
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':')
                ctx.fail(n, where + ": expected an address like [::1]:8080, got '" + text + "'");
            host = text.substr(1, close - 1);
            const std::string port = text.substr(close + 2);
            char* end = nullptr;
            const long p = std::strtol(port.c_str(), &end, 10);
            if (port.empty() || *end || p < 1 || p > 65535) ctx.fail(n, where + ": bad port in '" + text + "'");
            t.port = static_cast<std::uint16_t>(p);
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
        host = text.substr(0, colon);
        const std::string port = text.substr(colon + 1);
        char* end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end || p < 1 || p > 65535) ctx.fail(n, where + ": bad port in '" + text + "'");
        t.port = static_cast<std::uint16_t>(p);
    }
    if (!is_ip_literal(host))
        ctx.fail(n, where + ": expected an IP address (optionally with :port), got '" + text + "'");
    t.host = host;
    return t;
}

void parse_network(StrictMap m, NetworkSpec& n) {
    n.mode =
        m.one_of("mode", "none", {"none", "allowlist"}) == "allowlist" ? NetworkMode::Allowlist : NetworkMode::None;
    n.allow = m.host_pattern_list("allow");
    n.deny = m.host_pattern_list("deny");
    if (YAML::Node ports = m.get("ports"); ports.IsDefined()) {
        if (!ports.IsSequence())
            m.context().fail(ports, "network.ports: expected a list of port numbers, got " + describe_node(ports));
        n.ports.clear();
        for (const auto& p : ports) {
            int value = 0;
            if (!p.IsScalar() || !YAML::convert<int>::decode(p, value) || value < 1 || value > 65535)
                m.context().fail(p, "network.ports: expected a port number 1..65535, got " + describe_node(p));
            n.ports.push_back(static_cast<std::uint16_t>(value));
        }
    }
    if (YAML::Node r = m.get("resolve"); r.IsDefined()) {
        if (!r.IsMap())
            m.context().fail(r, "network.resolve: expected a mapping of name: address, got " + describe_node(r));
        for (const auto& kv : r) {
            const std::string name = read_string(m.context(), kv.first, "network.resolve");
            n.resolve[name] = parse_resolve_target(m.context(), kv.second, "network.resolve." + name);
        }
    }
    n.max_connections = static_cast<std::uint32_t>(m.integer("max_connections", n.max_connections, 1, 100'000));
    n.max_bytes = m.size("max_bytes", n.max_bytes, 1 * kMiB, 1024 * 1024 * kGiB);
    n.idle_timeout = m.duration("idle_timeout", n.idle_timeout, kSecond, Millis(86'400'000));
    m.finish();
    if (n.mode == NetworkMode::None && (!n.allow.empty() || !n.resolve.empty()))
        m.context().fail(m.node(), "network: 'allow' and 'resolve' need mode: allowlist (mode is none)");
    if (n.mode == NetworkMode::Allowlist && n.allow.empty())
        m.context().fail(m.node(), "network: mode allowlist needs a non-empty 'allow' list");
}

void parse_ready(StrictMap m, ReadyCondition& r) {
    r.wm_class = m.string("wm_class", "");
    r.title = m.string("title", "");
    r.a11y_app = m.string("a11y_app", "");
    r.timeout = m.duration("timeout", r.timeout, Millis(100), Millis(10 * 60 * 1000));
    m.finish();
    if (r.empty())
        m.context().fail(m.node(), m.path_of("").substr(0, m.path_of("").size() - 1) +
                                       ": expected at least one of wm_class, title, a11y_app");
}

AppSpec parse_app(StrictMap m, std::size_t index) {
    const std::string where = "apps[" + std::to_string(index) + "]";
    AppSpec a;
    a.name = m.required_string("name");
    YAML::Node exec = m.require("exec");
    a.exec = read_string_list(m.context(), exec, where + ".exec");
    if (a.exec.empty()) m.context().fail(exec, where + ".exec: must name a program");
    if (YAML::Node env = m.get("env"); env.IsDefined()) {
        if (!env.IsMap())
            m.context().fail(env, where + ".env: expected a mapping of NAME: value, got " + describe_node(env));
        for (const auto& kv : env) {
            const std::string key = read_string(m.context(), kv.first, where + ".env");
            if (key.empty() || key.find('=') != std::string::npos)
                m.context().fail(kv.first, where + ".env: '" + key + "' is not a valid variable name");
            a.env[key] = read_string(m.context(), kv.second, where + ".env." + key);
        }
    }
    a.cwd = m.string("cwd", a.cwd);
    if (YAML::Node r = m.get("ready"); r.IsDefined()) parse_ready(StrictMap(m.context(), r, where + ".ready"), a.ready);
    a.restart = m.one_of("restart", "never", {"never", "on-failure"}) == "on-failure" ? RestartPolicy::OnFailure
                                                                                      : RestartPolicy::Never;
    a.max_restarts = static_cast<std::uint32_t>(m.integer("max_restarts", a.max_restarts, 0, 100));
    a.browser_sandbox = m.boolean("browser_sandbox", false);
    m.finish();
    return a;
}

void parse_review(StrictMap m, ReviewSpec& r) {
    if (YAML::Node v = m.get("vnc"); v.IsDefined()) {
        StrictMap vm(m.context(), v, "review.vnc");
        r.vnc.enabled = vm.boolean("enabled", r.vnc.enabled);
        if (YAML::Node only = vm.get("view_only"); only.IsDefined() && !vm.boolean("view_only", true))
            m.context().fail(only,
                             "review.vnc.view_only: false would give every VNC viewer input that bypasses the "
                             "gate and the audit log; remove it and set review.takeover: true, so that a "
                             "reviewer takes control with 'deskbox takeover' (audited, the agent held)");
        vm.finish();
    }
    r.takeover = m.boolean("takeover", r.takeover);
    r.approval_timeout = m.duration("approval_timeout", r.approval_timeout, kSecond, Millis(86'400'000));
    m.finish();
}

void parse_secrets(StrictMap m, std::vector<SecretRef>& out) {
    for (const auto& kv : m.node()) {
        const std::string name = read_string(m.context(), kv.first, "secrets");
        m.get(name);
        StrictMap s(m.context(), kv.second, "secrets." + name);
        SecretRef ref;
        ref.name = name;
        YAML::Node from = s.require("from");
        ref.from = read_string(m.context(), from, "secrets." + name + ".from");
        if (ref.from.rfind("env:", 0) != 0 && ref.from.rfind("file:", 0) != 0)
            m.context().fail(from,
                             "secrets." + name + ".from: expected env:NAME or file:/path, got '" + ref.from + "'");
        ref.domains = s.host_pattern_list("domains");
        parse_secret_use(s, ref.use);
        s.finish();
        out.push_back(std::move(ref));
    }
    m.finish();
}

VerifyCheck parse_verify(const YamlContext& ctx, const YAML::Node& item, std::size_t index) {
    const std::string where = "verify[" + std::to_string(index) + "]";
    StrictMap m(ctx, item, where);
    VerifyCheck v;
    v.line = item.Mark().line + 1;
    int kinds = 0;
    if (YAML::Node a = m.get("a11y"); a.IsDefined()) {
        ++kinds;
        StrictMap am(ctx, a, where + ".a11y");
        v.kind = VerifyCheck::Kind::A11y;
        v.role = am.string("role", "");
        v.name = am.string("name", "");
        v.present = am.boolean("present", true);
        am.finish();
        if (v.role.empty() && v.name.empty()) ctx.fail(a, where + ".a11y: expected role or name");
    }
    if (YAML::Node f = m.get("file"); f.IsDefined()) {
        ++kinds;
        StrictMap fm(ctx, f, where + ".file");
        v.kind = VerifyCheck::Kind::File;
        v.path = fm.required_string("path");
        v.contains = fm.string("contains", "");
        v.equals = fm.string("equals", "");
        parse_file_digest_checks(fm, where + ".file", v);
        fm.finish();
    }
    if (YAML::Node c = m.get("command"); c.IsDefined()) {
        ++kinds;
        StrictMap cm(ctx, c, where + ".command");
        v.kind = VerifyCheck::Kind::Command;
        YAML::Node run = cm.require("run");
        v.command = read_string_list(ctx, run, where + ".command.run");
        if (v.command.empty()) ctx.fail(run, where + ".command.run: must name a program");
        v.expect_exit = static_cast<int>(cm.integer("exit", 0, 0, 255));
        v.timeout = cm.duration("timeout", v.timeout, kSecond, Millis(10 * 60 * 1000));
        cm.finish();
    }
    kinds += parse_state_checks(m, where, v);
    m.finish();
    if (kinds != 1) ctx.fail(item, where + ": expected exactly one of a11y, file, command, url, window, spreadsheet");
    return v;
}

void parse_observe(StrictMap m, ObserveSpec& o) {
    if (YAML::Node s = m.get("scale"); s.IsDefined()) {
        StrictMap sm(m.context(), s, "observe.scale");
        o.scale_width = static_cast<int>(sm.integer("width", 0, 64, 7680));
        o.scale_height = static_cast<int>(sm.integer("height", 0, 64, 4320));
        if (!sm.has("width") || !sm.has("height")) m.context().fail(s, "observe.scale: expected both width and height");
        sm.finish();
    }
    o.keep_screenshots = m.boolean("keep_screenshots", false);
    if (YAML::Node r = m.get("record"); r.IsDefined()) {
        StrictMap rm(m.context(), r, "observe.record");
        RecordSpec& rec = o.record;
        rec.video = rm.boolean("video", true);
        rec.fps = static_cast<int>(rm.integer("fps", rec.fps, 1, 30));
        rec.max_bytes = rm.size("max_bytes", rec.max_bytes, kKiB, 64 * kGiB);
        rec.max_seconds = rm.integer("max_seconds", rec.max_seconds, 1, 7 * 24 * 3600);
        rm.finish();
    }
    m.finish();
}

}  // namespace

bool valid_session_name(const std::string& name) {
    if (name.empty() || name.size() > 63) return false;
    if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

Manifest parse_manifest_text(const std::string& text, const std::filesystem::path& file) {
    const YamlContext ctx{file.string()};
    YAML::Node doc = load_yaml_text(text, file.string());
    if (!doc.IsDefined() || doc.IsNull())
        throw InputError(file.string(), 1, 1, "empty manifest: expected a mapping with session and apps");
    StrictMap top(ctx, doc, "");
    const std::filesystem::path base = std::filesystem::absolute(file).parent_path();

    Manifest m;
    m.source = std::filesystem::absolute(file).lexically_normal();
    m.version = static_cast<int>(top.integer("version", 1, 1, 1));
    parse_session(StrictMap(ctx, top.require("session"), "session"), m.session);
    if (YAML::Node n = top.get("sandbox"); n.IsDefined()) parse_sandbox(StrictMap(ctx, n, "sandbox"), m.sandbox, base);
    if (YAML::Node n = top.get("network"); n.IsDefined()) parse_network(StrictMap(ctx, n, "network"), m.network);
    YAML::Node apps = top.require("apps");
    if (!apps.IsSequence() || apps.size() == 0)
        ctx.fail(apps, "apps: expected a non-empty list of apps, got " + describe_node(apps));
    std::set<std::string> names;
    for (std::size_t i = 0; i < apps.size(); ++i) {
        m.apps.push_back(parse_app(StrictMap(ctx, apps[i], "apps[" + std::to_string(i) + "]"), i));
        if (!names.insert(m.apps.back().name).second)
            ctx.fail(apps[i],
                     "apps[" + std::to_string(i) + "].name: '" + m.apps.back().name + "' is used by an earlier app");
    }
    if (YAML::Node n = top.get("policy"); n.IsDefined())
        m.policy = resolve_against(base, read_string(ctx, n, "policy"));
    if (YAML::Node n = top.get("review"); n.IsDefined()) parse_review(StrictMap(ctx, n, "review"), m.review);
    if (YAML::Node n = top.get("secrets"); n.IsDefined()) parse_secrets(StrictMap(ctx, n, "secrets"), m.secrets);
    if (YAML::Node n = top.get("setup"); n.IsDefined()) m.setup = parse_setup(ctx, n, m);
    if (YAML::Node n = top.get("verify"); n.IsDefined()) {
        if (!n.IsSequence()) ctx.fail(n, "verify: expected a list of checks, got " + describe_node(n));
        for (std::size_t i = 0; i < n.size(); ++i) m.verify.push_back(parse_verify(ctx, n[i], i));
    }
    if (YAML::Node n = top.get("observe"); n.IsDefined()) parse_observe(StrictMap(ctx, n, "observe"), m.observe);
    if (YAML::Node n = top.get("collect"); n.IsDefined()) parse_collect(ctx, n, m.collect);
    if (YAML::Node n = top.get("uploads"); n.IsDefined()) parse_uploads(StrictMap(ctx, n, "uploads"), base, m.uploads);
    top.finish();
    return m;
}

Manifest parse_manifest_file(const std::filesystem::path& file) {
    return parse_manifest_text(read_bounded_file(file, "manifest", 1 << 20), file);
}

}  // namespace deskbox
