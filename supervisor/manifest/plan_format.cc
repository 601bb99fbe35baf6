#include "supervisor/manifest/plan_format.h"

#include <sstream>

namespace deskbox {
namespace {

const char* mode_name(NetworkMode m) {
    return m == NetworkMode::Allowlist ? "allowlist" : "none";
}

std::string join(const std::vector<std::string>& v, const char* sep = " ") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string format_number(double value) {
    std::ostringstream o;
    o << value;  // shortest form: 10, 0.5
    return o.str();
}

std::string decision_text(const DecisionSpec& d) {
    std::string s = to_string(d.decision);
    if (d.approve_timeout) s += " (timeout " + format_duration(*d.approve_timeout) + ")";
    return s;
}

// "default" (the bundled jwm, started with deskbox's jwmrc), "none", or the manifest's argv.
nlohmann::json window_manager_json(const DisplaySpec& d) {
    switch (d.window_manager_mode) {
        case DisplaySpec::WindowManager::Default:
            return "default";
        case DisplaySpec::WindowManager::Off:
            return "none";
        case DisplaySpec::WindowManager::Custom:
            break;
    }
    return d.window_manager;
}

std::string describe_window_manager(const DisplaySpec& d) {
    switch (d.window_manager_mode) {
        case DisplaySpec::WindowManager::Default:
            return "jwm (default)";
        case DisplaySpec::WindowManager::Off:
            return "none";
        case DisplaySpec::WindowManager::Custom:
            break;
    }
    return join(d.window_manager);
}

}  // namespace

nlohmann::json plan_to_json(const Plan& plan) {
    const Manifest& m = plan.manifest;
    nlohmann::json j;
    j["manifest"] = m.source.string();
    j["manifest_sha256"] = plan.manifest_sha256;
    j["policy"] = plan.policy.source;
    j["policy_sha256"] = plan.policy_sha256;
    j["session"] = {{"name", m.session.name},
                    {"display",
                     {{"width", m.session.display.width},
                      {"height", m.session.display.height},
                      {"depth", m.session.display.depth},
                      {"glx", m.session.display.glx},
                      {"window_manager", window_manager_json(m.session.display)}}},
                    {"budget",
                     {{"steps", plan.budget.steps},
                      {"wall_clock_ms", plan.budget.wall_clock.count()},
                      {"actions_per_second", plan.budget.actions_per_second}}}};
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : m.sandbox.files)
        files.push_back(
            {{"from", f.from.string()}, {"to", f.to}, {"mode", f.mode == PlaceMode::ReadOnly ? "ro" : "copy"}});
    j["sandbox"] = {{"memory", m.sandbox.memory},
                    {"pids", m.sandbox.pids},
                    {"cpu", m.sandbox.cpu},
                    {"home_size", m.sandbox.home_size},
                    {"tmp_size", m.sandbox.tmp_size},
                    {"nofile", m.sandbox.nofile},
                    {"max_file_size", m.sandbox.max_file_size},
                    {"files", files}};
    nlohmann::json resolve = nlohmann::json::object();
    for (const auto& [name, t] : m.network.resolve)
        resolve[name] = t.port ? t.host + ":" + std::to_string(t.port) : t.host;
    j["network"] = {{"mode", mode_name(m.network.mode)},
                    {"allow", m.network.allow},
                    {"deny", m.network.deny},
                    {"ports", m.network.ports},
                    {"resolve", resolve}};
    nlohmann::json apps = nlohmann::json::array();
    for (const auto& a : m.apps) {
        nlohmann::json app = {{"name", a.name},
                              {"exec", a.exec},
                              {"env", a.env},
                              {"cwd", a.cwd},
                              {"restart", a.restart == RestartPolicy::OnFailure ? "on-failure" : "never"},
                              {"max_restarts", a.max_restarts},
                              {"browser_sandbox", a.browser_sandbox}};
        if (!a.ready.empty())
            app["ready"] = {{"wm_class", a.ready.wm_class},
                            {"title", a.ready.title},
                            {"a11y_app", a.ready.a11y_app},
                            {"timeout_ms", a.ready.timeout.count()}};
        apps.push_back(app);
    }
    j["apps"] = apps;
    j["review"] = {{"vnc", {{"enabled", m.review.vnc.enabled}, {"view_only", true}}},
                   {"takeover", m.review.takeover},
                   {"approval_timeout_ms", m.review.approval_timeout.count()}};
    nlohmann::json secrets = nlohmann::json::array();
    for (const auto& s : m.secrets) secrets.push_back({{"name", s.name}, {"from", s.from}, {"domains", s.domains}});
    j["secrets"] = secrets;  // references only, never values
    j["verify_checks"] = m.verify.size();
    j["admitted"] = plan.verdict.admitted;
    j["reasons"] = plan.verdict.reasons;
    j["notes"] = plan.verdict.notes;
    return j;
}

std::string plan_to_text(const Plan& plan) {
    const Manifest& m = plan.manifest;
    std::ostringstream o;
    o << "manifest   " << m.source.string() << " (sha256 " << plan.manifest_sha256.substr(0, 16) << ")\n";
    o << "policy     " << plan.policy.source;
    if (!plan.builtin_policy) o << " (sha256 " << plan.policy_sha256.substr(0, 16) << ")";
    o << "\n";
    o << "session    " << m.session.name << ", display " << m.session.display.width << "x" << m.session.display.height
      << "x" << m.session.display.depth;
    if (m.session.display.glx) o << ", GLX";
    o << ", window manager " << describe_window_manager(m.session.display);
    o << "\n";
    o << "budget     steps " << (plan.budget.steps ? std::to_string(plan.budget.steps) : "unlimited") << ", wall clock "
      << format_duration(plan.budget.wall_clock) << ", actions/s "
      << (plan.budget.actions_per_second > 0 ? format_number(plan.budget.actions_per_second) : "unlimited") << "\n";
    o << "sandbox    memory " << format_size(m.sandbox.memory) << ", pids " << m.sandbox.pids << ", cpu "
      << m.sandbox.cpu << ", home " << format_size(m.sandbox.home_size) << ", tmp " << format_size(m.sandbox.tmp_size)
      << "\n";
    for (const auto& f : m.sandbox.files)
        o << "  file     " << f.from.string() << " -> " << f.to
          << (f.mode == PlaceMode::ReadOnly ? " (read-only)" : " (copy)") << "\n";
    o << "network    " << mode_name(m.network.mode);
    if (m.network.mode == NetworkMode::Allowlist) o << ": " << join(m.network.allow, ", ");
    o << "\n";
    for (const auto& [name, t] : m.network.resolve)
        o << "  resolve  " << name << " -> " << t.host << (t.port ? ":" + std::to_string(t.port) : "") << "\n";
    for (const auto& a : m.apps) {
        o << "app        " << a.name << ": " << join(a.exec);
        if (!a.ready.empty()) {
            o << " (ready: ";
            if (!a.ready.wm_class.empty()) o << "wm_class " << a.ready.wm_class << " ";
            if (!a.ready.title.empty()) o << "title '" << a.ready.title << "' ";
            if (!a.ready.a11y_app.empty()) o << "a11y app " << a.ready.a11y_app << " ";
            o << "within " << format_duration(a.ready.timeout) << ")";
        }
        if (a.restart == RestartPolicy::OnFailure) o << " [restart on failure, at most " << a.max_restarts << "]";
        if (a.browser_sandbox) o << " [keeps its browser sandbox]";
        o << "\n";
    }
    o << "review     vnc " << (m.review.vnc.enabled ? "view-only" : "off") << ", takeover "
      << (m.review.takeover ? "allowed (audited, the agent held meanwhile)" : "not allowed")
      << ", approvals time out after " << format_duration(m.review.approval_timeout) << "\n";
    o << "policy     default " << decision_text(plan.policy.default_decision) << "; tiers low "
      << decision_text(plan.policy.tiers.at(Tier::Low)) << ", medium "
      << decision_text(plan.policy.tiers.at(Tier::Medium)) << ", high "
      << decision_text(plan.policy.tiers.at(Tier::High)) << "; " << plan.policy.rules.size() << " rules\n";
    if (!m.secrets.empty()) o << "secrets    " << m.secrets.size() << " reference(s), values not read by check\n";
    if (!m.verify.empty()) o << "verify     " << m.verify.size() << " check(s)\n";
    for (const auto& n : plan.verdict.notes) o << "note       " << n << "\n";
    if (plan.verdict.admitted) {
        o << "verdict    admitted\n";
    } else {
        o << "verdict    blocked\n";
        for (const auto& r : plan.verdict.reasons) o << "  reason   " << r << "\n";
    }
    return o.str();
}

}  // namespace deskbox
