// Admission rules: what a manifest is admitted as under a policy.
#include "supervisor/manifest/admission.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "policy/policy_parser.h"
#include "supervisor/manifest/manifest_parser.h"

using namespace deskbox;

namespace {

Manifest manifest(const std::string& extra, const std::string& apps = "apps:\n  - {name: e, exec: [zenity]}\n") {
    return parse_manifest_text("session: {name: s}\n" + apps + extra, "/nonexistent/m.yaml");
}

Policy policy(const std::string& text) {
    return parse_policy_text("default: deny\n" + text, "p.yaml");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(admission)

BOOST_AUTO_TEST_CASE(domain_matching) {
    BOOST_TEST(domain_covered("ci.example", {"ci.example"}));
    BOOST_TEST(domain_covered("ci.example", {"CI.Example"}));
    BOOST_TEST(!domain_covered("x.ci.example", {"ci.example"}));
    BOOST_TEST(domain_covered("ci.example", {"*.example"}));
    BOOST_TEST(domain_covered("a.b.example", {"*.example"}));
    BOOST_TEST(!domain_covered("example", {"*.example"}));
    BOOST_TEST(!domain_covered("evilexample", {"*.example"}));
    BOOST_TEST(domain_covered("*.x.example", {"*.example"}));
    BOOST_TEST(domain_covered("*.example", {"*.EXAMPLE."}));
    BOOST_TEST(!domain_covered("*.example", {"*.x.example"}));
    BOOST_TEST(!domain_covered("*.example", {"example"}));
    BOOST_TEST(domain_covered("*", {"*"}));
    BOOST_TEST(!domain_covered("*", {"*.example"}));
    BOOST_TEST(domain_covered("*.example", {"*"}));
    BOOST_TEST(domain_covered("203.0.113.7", {"*"}));
    BOOST_TEST(!domain_covered("203.0.113.7", {"*.113.7"}));
    BOOST_TEST(domain_covered("2001:db8::1", {"2001:DB8:0::1"}));
    BOOST_TEST(domain_covered("xn--bcher-kva.example", {"bücher.example"}));
    BOOST_TEST(!domain_covered("bad..example", {"*"}));
}

BOOST_AUTO_TEST_CASE(plain_manifest_is_admitted) {
    const Verdict v = admission_verdict(manifest(""), policy(""));
    BOOST_TEST(v.admitted);
    BOOST_TEST(v.reasons.empty());
}

BOOST_AUTO_TEST_CASE(domains_outside_policy_are_blocked) {
    const Manifest m = manifest("network: {mode: allowlist, allow: [ci.example, evil.example]}\n");
    const Verdict v = admission_verdict(m, policy("admission: {domains: [ci.example]}\n"));
    BOOST_TEST(!v.admitted);
    BOOST_REQUIRE(v.reasons.size() == 1u);
    BOOST_TEST(v.reasons[0] == "network.allow: domain 'evil.example' is outside what the policy allows (ci.example)");
    BOOST_TEST(admission_verdict(m, policy("admission: {domains: ['*.example']}\n")).admitted);
    BOOST_TEST(admission_verdict(m, policy("")).reasons[0] ==
               "network.allow: domain 'ci.example' is outside what the policy allows (no domains)");
}

BOOST_AUTO_TEST_CASE(persistent_profile_is_blocked) {
    const Manifest m = manifest("", "apps:\n  - {name: b, exec: [chromium, --user-data-dir=/var/lib/profile]}\n");
    const Verdict v = admission_verdict(m, policy(""));
    BOOST_TEST(!v.admitted);
    BOOST_TEST(v.reasons[0] ==
               "apps[0] (b): browser profile '/var/lib/profile' is outside the fresh session home, so it would "
               "persist across sessions; the policy forbids reused profiles");
    BOOST_TEST(admission_verdict(m, policy("admission: {persistent_profile: true}\n")).admitted);
    const Manifest fresh = manifest("", "apps:\n  - {name: b, exec: [chromium, --user-data-dir=/tmp/p]}\n");
    BOOST_TEST(admission_verdict(fresh, policy("")).admitted);
}

BOOST_AUTO_TEST_CASE(write_capability_the_policy_forbids_is_blocked) {
    const auto dir = std::filesystem::temp_directory_path() / "deskbox-admission-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "report.ods") << "x";
    const Manifest m = parse_manifest_text(
        "session: {name: s}\napps:\n  - {name: e, exec: [zenity]}\nsandbox:\n  files: [{from: report.ods, to: "
        "~/report.ods}]\n",
        dir / "m.yaml");
    const Verdict v = admission_verdict(m, policy("admission: {writable_files: false}\n"));
    BOOST_TEST(!v.admitted);
    BOOST_TEST(v.reasons[0] ==
               "sandbox.files[0]: a writable copy of 'report.ods' is a write capability the policy forbids (use "
               "mode: ro)");
    BOOST_TEST(admission_verdict(m, policy("")).admitted);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(missing_file_source_is_blocked) {
    const Manifest m = manifest("sandbox:\n  files: [{from: nothing.txt, to: ~/x.txt, mode: ro}]\n");
    const Verdict v = admission_verdict(m, policy(""));
    BOOST_TEST(!v.admitted);
    BOOST_TEST(v.reasons[0] == "sandbox.files[0]: source '/nonexistent/nothing.txt' does not exist");
}

BOOST_AUTO_TEST_CASE(browser_sandbox_and_host_commands_need_policy_consent) {
    const Manifest m = manifest("verify:\n  - {command: {run: [true]}}\n",
                                "apps:\n  - {name: b, exec: [chromium], browser_sandbox: true}\n");
    const Verdict v = admission_verdict(m, policy("admission: {browser_sandbox: false}\n"));
    BOOST_TEST(!v.admitted);
    BOOST_REQUIRE(v.reasons.size() == 2u);
    BOOST_TEST(v.reasons[0] ==
               "apps[0] (b): browser_sandbox needs user namespaces inside the session, which the policy forbids");
    BOOST_TEST(v.reasons[1] == "verify (line 5): host command checks need admission.host_commands: true in the policy");
    BOOST_TEST(admission_verdict(m, policy("admission: {host_commands: true}\n")).admitted);
}

BOOST_AUTO_TEST_CASE(budgets_above_policy_caps_are_blocked) {
    const Manifest m = manifest("", "apps:\n  - {name: e, exec: [zenity]}\n");
    const Verdict v = admission_verdict(m, policy("budget: {steps: 100, wall_clock: 10m}\n"));
    BOOST_TEST(!v.admitted);
    BOOST_REQUIRE(v.reasons.size() == 2u);
    BOOST_TEST(v.reasons[0] == "session.budget.steps: unlimited exceeds the policy's cap of 100");
    BOOST_TEST(v.reasons[1] == "session.budget.wall_clock: 15m exceeds the policy's cap of 10m");
}

BOOST_AUTO_TEST_CASE(secrets_must_stay_on_reachable_domains) {
    const Manifest m = manifest(
        "network: {mode: allowlist, allow: [ci.example]}\nsecrets:\n  pw: {from: 'env:PW', "
        "domains: [other.example]}\n");
    const Verdict v = admission_verdict(m, policy("admission: {domains: [ci.example]}\n"));
    BOOST_TEST(!v.admitted);
    BOOST_TEST(v.reasons[0] ==
               "secrets.pw: domain 'other.example' is not reachable from this session (not in network.allow)");
}

BOOST_AUTO_TEST_CASE(no_sandbox_flag_is_noted_not_blocked) {
    const Manifest m = manifest("", "apps:\n  - {name: b, exec: [chromium, --no-sandbox]}\n");
    const Verdict v = admission_verdict(m, policy(""));
    BOOST_TEST(v.admitted);
    BOOST_TEST(v.notes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(target_rules_over_an_app_without_accessibility_are_noted) {
    const Manifest m = manifest("", "apps:\n  - {name: terminal, exec: [/usr/bin/xterm]}\n");
    const Verdict v = admission_verdict(
        m, policy("rules:\n  - {name: deploy controls, when: {target: {name: deploy}}, decision: deny}\n"));
    BOOST_TEST(v.admitted);
    BOOST_REQUIRE(v.notes.size() == 1u);
    BOOST_TEST(v.notes[0] ==
               "policy rule 'deploy controls' (line 3) keys on target, but apps[0] (terminal) runs xterm, which has no "
               "accessibility: its actions that reach that rule are refused as context:unavailable (or go to a "
               "reviewer with on_unreadable: approve)");
}

BOOST_AUTO_TEST_CASE(bundled_manifests_are_admitted) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE(root != nullptr);
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(root) / "manifests")) {
        if (entry.path().extension() != ".yaml") continue;
        const Plan plan = admit_file(entry.path());
        BOOST_TEST(plan.verdict.admitted, entry.path().string() << " is blocked");
        ++count;
    }
    BOOST_TEST(count >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
