// One table of (pattern, host, expected) that admission, the gate and the
// egress proxy must all answer the same way, each through its own entry point:
//   admission  admission_verdict(): the manifest's network.allow lists the host,
//              the policy's admission.domains the pattern; admitted iff match;
//   gate       host_matches(pattern, host), what a rule's `domain` uses;
//   proxy      HostRules built from the manifest's network section: the deny
//              list holds the pattern (a deny pattern has no other rule in
//              front of it), and the allow list holds it for names (IP
//              literals are opened only by an address listed as such).
// A host the proxy cannot normalize never reaches its rules: no match.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "policy/gate.h"
#include "supervisor/base/error.h"
#include "supervisor/base/host_name.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/proxy/host_rules.h"

using namespace deskbox;

namespace {

struct Case {
    const char* pattern;
    const char* host;
    bool match;
};

// "ci.еxample" below has a Cyrillic 'е' (U+0435); its A-label is ci.xn--xample-2of.
const std::vector<Case> kTable = {
    // apex versus "*."
    {"*.example", "example", false},
    {"*.example", "ci.example", true},
    {"*.example", "a.b.example", true},
    {"*.ci.example", "ci.example", false},
    {"ci.example", "ci.example", true},
    {"ci.example", "x.ci.example", false},
    {"example", "ci.example", false},
    // case
    {"ci.example", "CI.Example", true},
    {"CI.EXAMPLE", "ci.example", true},
    {"*.EXAMPLE", "Runs.CI.example", true},
    // trailing dot
    {"ci.example", "ci.example.", true},
    {"ci.example.", "ci.example", true},
    {"*.example.", "a.example.", true},
    {"ci.example", "ci.example..", false},
    // IDNA: lookalikes are other names, spellings of one name are one name
    {"ci.example", "ci.\xd0\xb5xample", false},
    {"*.example", "ci.\xd0\xb5xample", false},
    {"ci.\xd0\xb5xample", "ci.example", false},
    {"ci.\xd0\xb5xample", "ci.xn--xample-2of", true},
    {"ci.example", "ci.xn--xample-2of", false},
    {"*.example", "\xd0\xb0pple.example", true},  // a Cyrillic label under an allowed suffix is still under it
    {"apple.example", "\xd0\xb0pple.example", false},
    {"b\xc3\xbc"
     "cher.example",
     "xn--bcher-kva.example", true},
    {"xn--bcher-kva.example",
     "B\xc3\x9c"
     "CHER.example",
     true},
    {"*.b\xc3\xbc"
     "cher.example",
     "a.xn--bcher-kva.example", true},
    {"b\xc3\xbc"
     "cher.example",
     "bucher.example", false},
    {"example.com", "\xef\xbd\x85xample.com", true},  // fullwidth 'ｅ' maps to 'e' under UTS #46
    {"ci.example",
     "ci.exam\xff"
     "ple",
     false},  // not UTF-8
    // label boundaries
    {"ci.example", "evil-ci.example", false},
    {"*.ci.example", "evil-ci.example", false},
    {"*.example", "evilexample", false},
    {"ci.example", "ci.example.evil", false},
    {"*.example", "a.example.evil", false},
    {"*.ci.example", "a.ci.example.evil.example", false},
    // empty and invalid
    {"ci.example", "", false},
    {"*", "", false},
    {"", "ci.example", false},
    {"*", "a b.example", false},
    {"*", "bad..example", false},
    {"a*.example", "a.example", false},
    {"*.*.example", "a.b.example", false},
    // "*"
    {"*", "anything.example", true},
    {"*", "ANY.example.", true},
    {"*", "203.0.113.7", true},
    {"*", "127.1", false},  // a numeric form resolvers reinterpret is no host
    // IP literals match only themselves
    {"203.0.113.7", "203.0.113.7", true},
    {"203.0.113.7", "203.0.113.8", false},
    {"203.0.113.7", "203.0.113.7.example", false},
    {"127.0.0.1", "127.1", false},
    {"2001:db8::1", "2001:DB8:0::1", true},
    {"2001:db8::1", "2001:db8::2", false},
    {"::ffff:127.0.0.1", "127.0.0.1", false},
    {"*.example", "203.0.113.7", false},
    {"*.7", "203.0.113.7", false},
};

bool admission_admits(const Case& c) {
    Manifest m;
    m.network.mode = NetworkMode::Allowlist;
    m.network.allow = {c.host};
    Policy p = builtin_default_policy();
    p.admission.allowed_domains = {c.pattern};
    return admission_verdict(m, p).admitted;
}

bool gate_matches(const Case& c) {
    return host_matches(c.pattern, c.host);
}

enum class List { Allow, Deny };

// Whether the proxy's rules for a manifest listing the pattern match the host.
bool proxy_matches(const Case& c, List list) {
    const auto host = normalize_host(c.host, nullptr);
    if (!host) return false;  // refused before any rule
    NetworkSpec spec;
    spec.mode = NetworkMode::Allowlist;
    (list == List::Deny ? spec.deny : spec.allow) = {c.pattern};
    try {
        const proxy::HostRules rules(spec);
        const proxy::HostDecision d = rules.check(*host, 443);
        return list == List::Deny ? d.rule == "deny " + std::string(c.pattern) : d.allowed;
    } catch (const Error&) {
        return false;  // the proxy refuses the pattern itself
    }
}

std::string describe(const Case& c) {
    return std::string("'") + c.pattern + "' vs '" + c.host + "'";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_pattern_table)

BOOST_AUTO_TEST_CASE(admission_gate_and_proxy_agree) {
    for (const Case& c : kTable) {
        BOOST_TEST(admission_admits(c) == c.match, "admission: " << describe(c));
        BOOST_TEST(gate_matches(c) == c.match, "gate: " << describe(c));
        BOOST_TEST(proxy_matches(c, List::Deny) == c.match, "proxy deny: " << describe(c));
        const auto host = normalize_host(c.host, nullptr);
        const bool ip_host = host && host->is_ip();
        const auto pattern_host = normalize_host(c.pattern, nullptr);
        const bool ip_pattern = pattern_host && pattern_host->is_ip();
        // The allow list opens an IP literal only through that address itself.
        const bool allow_expected = c.match && (!ip_host || ip_pattern);
        BOOST_TEST(proxy_matches(c, List::Allow) == allow_expected, "proxy allow: " << describe(c));
    }
}

BOOST_AUTO_TEST_SUITE_END()
