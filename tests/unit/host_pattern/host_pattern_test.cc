// HostPattern itself (parse errors, coverage between patterns, URL hosts) and
// the manifest and policy parsers that use it.
#include "supervisor/base/host_pattern.h"

#include <boost/test/unit_test.hpp>

#include "policy/policy_parser.h"
#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"

using namespace deskbox;

BOOST_TEST_DONT_PRINT_LOG_VALUE(deskbox::HostPattern::Kind)

namespace {

std::string why_not(const std::string& text) {
    std::string why;
    return HostPattern::parse(text, &why) ? "(parsed)" : why;
}

HostPattern pat(const std::string& text) {
    auto p = HostPattern::parse(text, nullptr);
    BOOST_REQUIRE_MESSAGE(p, "pattern should parse: " << text);
    return *p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_pattern)

BOOST_AUTO_TEST_CASE(parse_errors_name_the_problem) {
    BOOST_TEST(why_not("a*.example") == "only a leading '*.' wildcard is supported");
    BOOST_TEST(why_not("*.*.example") == "only a leading '*.' wildcard is supported");
    BOOST_TEST(why_not("*.10.0.0.1") == "a wildcard cannot cover an IP address");
    BOOST_TEST(why_not("") == "empty host name");
    BOOST_TEST(why_not("*.") == "empty host name");
    BOOST_TEST(why_not("bad..example") == "empty label in 'bad..example'");
    BOOST_TEST(why_not("127.1") == "numeric host '127.1' is not a dotted-quad IPv4 address");
}

BOOST_AUTO_TEST_CASE(canonical_forms) {
    BOOST_TEST(pat("*.B\xc3\x9c"
                   "CHER.example.")
                   .canonical() == "*.xn--bcher-kva.example");
    BOOST_TEST(pat("*").canonical() == "*");
    BOOST_TEST(pat("2001:DB8:0::1").canonical() == "2001:db8::1");
    BOOST_TEST(pat("2001:DB8:0::1").is_ip());
    BOOST_TEST(pat("*.example").kind() == HostPattern::Kind::Subdomains);
    BOOST_TEST(pat("*.example").source() == "*.example");
}

BOOST_AUTO_TEST_CASE(coverage_between_patterns) {
    BOOST_TEST(pat("*").covers(pat("*")));
    BOOST_TEST(pat("*").covers(pat("10.0.0.1")));
    BOOST_TEST(!pat("*.example").covers(pat("*")));
    BOOST_TEST(pat("*.example").covers(pat("*.a.example")));
    BOOST_TEST(pat("*.example").covers(pat("*.EXAMPLE.")));
    BOOST_TEST(pat("*.example").covers(pat("a.example")));
    BOOST_TEST(!pat("*.example").covers(pat("example")));
    BOOST_TEST(!pat("*.a.example").covers(pat("*.example")));
    BOOST_TEST(!pat("*.example").covers(pat("*.evilexample")));
    BOOST_TEST(pat("a.example").covers(pat("A.example.")));
    BOOST_TEST(!pat("a.example").covers(pat("*.a.example")));
}

BOOST_AUTO_TEST_CASE(url_hosts_may_bracket_ipv6) {
    // The gate's domain comes from a document URL, where IPv6 is bracketed.
    BOOST_TEST(pat("2001:db8::1").matches(std::string_view("[2001:db8::1]")));
    BOOST_TEST(pat("[2001:db8::1]").matches(std::string_view("2001:DB8::1")));
    BOOST_TEST(!pat("*").matches(std::string_view("[2001:db8::1")));
    BOOST_TEST(!pat("*").matches(std::string_view("[ci.example]")));
}

BOOST_AUTO_TEST_SUITE_END()

// Manifests and policies refuse an entry that is not a host pattern where it
// is written, so a rule can never silently match nothing.
BOOST_AUTO_TEST_SUITE(host_pattern_parsers)

namespace {

template <typename Parse>
std::string error_of(Parse parse) {
    try {
        parse();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(manifest_network_and_secret_domains) {
    const std::string apps = "apps:\n  - {name: e, exec: [zenity]}\n";
    BOOST_TEST(error_of([&] {
                   parse_manifest_text(
                       "session: {name: s}\nnetwork: {mode: allowlist, allow: [ok.example, 'a*.example']}\n" + apps,
                       "/srv/m.yaml");
               }) ==
               "/srv/m.yaml:2:48: network.allow[1]: 'a*.example' is not a host pattern: only a leading '*.' "
               "wildcard is supported");
    BOOST_TEST(error_of([&] {
                   parse_manifest_text(
                       "session: {name: s}\nnetwork: {mode: allowlist, allow: [ok.example], deny: "
                       "['evil..example']}\n" +
                           apps,
                       "/srv/m.yaml");
               }) ==
               "/srv/m.yaml:2:56: network.deny[0]: 'evil..example' is not a host pattern: empty label in "
               "'evil..example'");
    BOOST_TEST(error_of([&] {
                   parse_manifest_text("session: {name: s}\nnetwork: {mode: allowlist, allow: [ok.example]}\n" + apps +
                                           "secrets:\n  pw: {from: 'env:PW', domains: ['*.10.0.0.1']}\n",
                                       "/srv/m.yaml");
               }) ==
               "/srv/m.yaml:6:34: secrets.pw.domains[0]: '*.10.0.0.1' is not a host pattern: a wildcard cannot "
               "cover an IP address");
}

BOOST_AUTO_TEST_CASE(policy_rule_domain_and_admission_domains) {
    BOOST_TEST(error_of([] {
                   parse_policy_text(
                       "default: deny\nrules:\n  - {name: r, when: {domain: 'ci..example'}, decision: allow}\n",
                       "p.yaml");
               }) ==
               "p.yaml:3:30: rules[0].when.domain: 'ci..example' is not a host pattern: empty label in "
               "'ci..example'");
    BOOST_TEST(error_of([] {
                   parse_policy_text(
                       "default: deny\nrules:\n  - {name: r, when: {domain: [ok.example, '']}, decision: allow}\n",
                       "p.yaml");
               }) == "p.yaml:3:43: rules[0].when.domain[1]: '' is not a host pattern: empty host name");
    BOOST_TEST(error_of([] { parse_policy_text("default: deny\nadmission: {domains: ['*.ex*mple']}\n", "p.yaml"); }) ==
               "p.yaml:2:23: admission.domains[0]: '*.ex*mple' is not a host pattern: only a leading '*.' "
               "wildcard is supported");
    BOOST_TEST(error_of([] {
                   parse_policy_text(
                       "default: deny\nadmission: {domains: ['*', 'B\xc3\x9c"
                       "CHER.example.']}\n",
                       "p.yaml");
               }) == "(no error)");
}

BOOST_AUTO_TEST_SUITE_END()
