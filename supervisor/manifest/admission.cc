#include "supervisor/manifest/admission.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "policy/policy_parser.h"
#include "supervisor/base/host_pattern.h"
#include "supervisor/base/strict_yaml.h"
#include "supervisor/manifest/manifest_parser.h"

namespace deskbox {
namespace {

// X clients that expose nothing over AT-SPI (no toolkit bridge): the gate
// sees their windows from the X server, never their elements.
bool lacks_accessibility(const std::string& program) {
    static const char* const kXOnly[] = {"xterm", "uxterm",   "rxvt", "urxvt", "xclock", "xcalc",  "xedit",
                                         "xeyes", "xmessage", "xpdf", "xmag",  "wine",   "wine64", "java"};
    const std::string base = std::filesystem::path(program).filename().string();
    for (const char* name : kXOnly)
        if (base == name) return true;
    return false;
}

// Profile flags of the browsers we know. A profile outside the fresh home
// (or a profile placed into the home from the host) persists across sessions.
bool names_persistent_profile(const std::string& arg, std::string& path) {
    for (const char* flag : {"--user-data-dir=", "--profile=", "-profile="}) {
        if (arg.rfind(flag, 0) == 0) {
            path = arg.substr(std::char_traits<char>::length(flag));
            return true;
        }
    }
    return false;
}

bool inside_fresh_space(const std::string& path) {
    return path.rfind("~/", 0) == 0 || path.rfind("/tmp/", 0) == 0 || path.rfind("/home/agent/", 0) == 0 ||
           path.rfind("$HOME/", 0) == 0;
}

bool is_profile_location(const std::string& to) {
    for (const char* dir : {"~/.config/chromium", "~/.config/google-chrome", "~/.mozilla", "~/snap/"})
        if (to.rfind(dir, 0) == 0) return true;
    return false;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        hex += buf;
    }
    return hex;
}

bool domain_covered(const std::string& requested, const std::vector<std::string>& allowed) {
    // A name that is not a valid host pattern is covered by nothing (the
    // parsers refuse such entries with their position before this runs).
    const auto want = HostPattern::parse(requested, nullptr);
    if (!want) return false;
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
        const auto have = HostPattern::parse(a, nullptr);
        return have && have->covers(*want);
    });
}

Policy builtin_default_policy() {
    Policy p;
    p.source = "(built-in default policy)";
    p.default_decision = {Decision::Approve, std::nullopt};
    p.tiers[Tier::Low] = {Decision::Allow, std::nullopt};
    p.tiers[Tier::Medium] = {Decision::Approve, std::nullopt};
    p.tiers[Tier::High] = {Decision::Approve, std::nullopt};
    Rule observe;
    observe.name = "built-in: observations";
    observe.when.actions = {"screenshot", "tree", "hit_test", "cursor_position", "zoom", "wait"};
    observe.tier = Tier::Low;
    p.rules.push_back(std::move(observe));
    return p;
}

Verdict admission_verdict(const Manifest& m, const Policy& p) {
    Verdict v;
    auto block = [&](std::string reason) {
        v.admitted = false;
        v.reasons.push_back(std::move(reason));
    };

    if (m.network.mode == NetworkMode::Allowlist) {
        for (const auto& d : m.network.allow)
            if (!domain_covered(d, p.admission.allowed_domains))
                block("network.allow: domain '" + d + "' is outside what the policy allows (" +
                      (p.admission.allowed_domains.empty() ? std::string("no domains")
                                                           : [&] {
                                                                 std::string s;
                                                                 for (const auto& a : p.admission.allowed_domains)
                                                                     s += (s.empty() ? "" : ", ") + a;
                                                                 return s;
                                                             }()) +
                      ")");
        for (const auto& [name, target] : m.network.resolve)
            if (!domain_covered(name, m.network.allow))
                block("network.resolve: '" + name + "' is not in network.allow");
    }
    for (const auto& s : m.secrets)
        for (const auto& d : s.domains)
            if (m.network.mode != NetworkMode::Allowlist || !domain_covered(d, m.network.allow))
                block("secrets." + s.name + ": domain '" + d +
                      "' is not reachable from this session (not in network.allow)");

    for (std::size_t i = 0; i < m.apps.size(); ++i) {
        const AppSpec& a = m.apps[i];
        for (const auto& arg : a.exec) {
            std::string path;
            if (names_persistent_profile(arg, path) && !inside_fresh_space(path) &&
                !p.admission.allow_persistent_profile)
                block("apps[" + std::to_string(i) + "] (" + a.name + "): browser profile '" + path +
                      "' is outside the fresh session home, so it would persist across sessions; the policy "
                      "forbids reused profiles");
            if (arg == "--no-sandbox")
                v.notes.push_back(
                    "apps[" + std::to_string(i) + "] (" + a.name +
                    "): --no-sandbox turns off the browser's own sandbox; consider browser_sandbox: true");
        }
        if (!a.exec.empty() && lacks_accessibility(a.exec.front()))
            for (const auto& rule : p.rules)
                if (rule.when.target)
                    v.notes.push_back("policy rule '" + rule.name + "' (line " + std::to_string(rule.line) +
                                      ") keys on target, but apps[" + std::to_string(i) + "] (" + a.name + ") runs " +
                                      std::filesystem::path(a.exec.front()).filename().string() +
                                      ", which has no accessibility: its actions that reach that rule are refused as "
                                      "context:unavailable (or go to a reviewer with on_unreadable: approve)");
        if (a.browser_sandbox && !p.admission.allow_browser_sandbox)
            block("apps[" + std::to_string(i) + "] (" + a.name +
                  "): browser_sandbox needs user namespaces inside the session, which the policy forbids");
    }
    for (std::size_t i = 0; i < m.sandbox.files.size(); ++i) {
        const FilePlacement& f = m.sandbox.files[i];
        const std::string where = "sandbox.files[" + std::to_string(i) + "]";
        std::error_code ec;
        if (!std::filesystem::exists(f.from, ec)) block(where + ": source '" + f.from.string() + "' does not exist");
        if (f.mode == PlaceMode::Copy && !p.admission.allow_writable_files)
            block(where + ": a writable copy of '" + f.from.filename().string() +
                  "' is a write capability the policy forbids (use mode: ro)");
        if (is_profile_location(f.to) && !p.admission.allow_persistent_profile)
            block(where + ": placing '" + f.to + "' reuses a browser profile; the policy forbids reused profiles");
    }
    for (const auto& u : m.uploads) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(u.from, ec))
            block("uploads." + u.name + ": source '" + u.from.string() + "' is not a regular file");
    }
    for (const auto& check : m.verify)
        if (check.kind == VerifyCheck::Kind::Command && !p.admission.allow_host_commands)
            block("verify (line " + std::to_string(check.line) +
                  "): host command checks need admission.host_commands: true in the policy");

    const BudgetSpec& b = m.session.budget;
    if (p.budget.steps && (b.steps == 0 || b.steps > *p.budget.steps))
        block("session.budget.steps: " + (b.steps ? std::to_string(b.steps) : std::string("unlimited")) +
              " exceeds the policy's cap of " + std::to_string(*p.budget.steps));
    if (p.budget.wall_clock && b.wall_clock > *p.budget.wall_clock)
        block("session.budget.wall_clock: " + format_duration(b.wall_clock) + " exceeds the policy's cap of " +
              format_duration(*p.budget.wall_clock));
    if (p.budget.actions_per_second &&
        (b.actions_per_second == 0 || b.actions_per_second > *p.budget.actions_per_second))
        block("session.budget.actions_per_second exceeds the policy's cap");
    return v;
}

Plan admit_file(const std::filesystem::path& manifest_file) {
    const std::string manifest_text = read_bounded_file(manifest_file, "manifest", 1 << 20);
    Plan plan;
    plan.manifest = parse_manifest_text(manifest_text, manifest_file);
    plan.manifest_sha256 = sha256_hex(manifest_text);
    if (plan.manifest.policy) {
        const std::string policy_text = read_bounded_file(*plan.manifest.policy, "policy", 1 << 20);
        plan.policy = parse_policy_text(policy_text, plan.manifest.policy->string());
        plan.policy_sha256 = sha256_hex(policy_text);
    } else {
        plan.policy = builtin_default_policy();
        plan.builtin_policy = true;
        plan.policy_sha256 = sha256_hex("builtin-default-v1");
    }
    plan.verdict = admission_verdict(plan.manifest, plan.policy);
    plan.budget = plan.manifest.session.budget;
    return plan;
}

}  // namespace deskbox
