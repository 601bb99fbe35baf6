#include "supervisor/proxy/host_rules.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/base/host_name.h"

using namespace deskbox;
using namespace deskbox::proxy;

BOOST_TEST_DONT_PRINT_LOG_VALUE(deskbox::HostName::Kind)

namespace {

std::string norm(const std::string& raw) {
    std::string why;
    const auto h = normalize_host(raw, &why);
    return h ? h->text : "!" + why;
}

bool refused(const std::string& raw) {
    return !normalize_host(raw, nullptr);
}

NetworkSpec spec() {
    NetworkSpec s;
    s.mode = NetworkMode::Allowlist;
    s.allow = {"allowed.example", "*.ci.example", "203.0.113.7", "bücher.example", "2001:db8::1"};
    s.deny = {"secret.ci.example", "*.evil.ci.example"};
    s.resolve = {{"Allowed.Example.", ResolveTarget{"127.0.0.1", 8080}}};
    return s;
}

HostDecision check(const HostRules& r, const std::string& raw, std::uint16_t port = 443) {
    const auto h = normalize_host(raw, nullptr);
    BOOST_REQUIRE_MESSAGE(h, "host should normalize: " << raw);
    return r.check(*h, port);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(host_names)

BOOST_AUTO_TEST_CASE(case_and_trailing_dot) {
    BOOST_TEST(norm("Allowed.EXAMPLE") == "allowed.example");
    BOOST_TEST(norm("allowed.example.") == "allowed.example");
    BOOST_TEST(refused("allowed.example.."));
    BOOST_TEST(refused(".allowed.example"));
    BOOST_TEST(refused(""));
    BOOST_TEST(refused("."));
}

BOOST_AUTO_TEST_CASE(idna_forms_are_one_name) {
    BOOST_TEST(norm("bücher.example") == "xn--bcher-kva.example");
    BOOST_TEST(norm("BÜCHER.example") == "xn--bcher-kva.example");
    BOOST_TEST(norm("XN--BCHER-KVA.example") == "xn--bcher-kva.example");
    // Decomposed u + combining diaeresis is the same name after NFC.
    BOOST_TEST(norm("bu\xcc\x88"
                    "cher.example") == "xn--bcher-kva.example");
    // Fullwidth letters map to ASCII under UTS #46.
    BOOST_TEST(norm("\xef\xbd\x85xample.com") == "example.com");
    BOOST_TEST(refused("bad\xff.example"));  // invalid UTF-8
}

BOOST_AUTO_TEST_CASE(characters_and_lengths) {
    BOOST_TEST(refused("a b.example"));
    BOOST_TEST(refused("a/b.example"));
    BOOST_TEST(refused("allowed.example@evil.example"));
    BOOST_TEST(refused(std::string("allowed.example\0.evil", 22)));
    BOOST_TEST(refused("-lead.example"));
    BOOST_TEST(refused(std::string(64, 'a') + ".example"));
    BOOST_TEST(!refused(std::string(63, 'a') + ".example"));
    BOOST_TEST(refused(std::string(250, 'a').replace(100, 1, ".").replace(200, 1, ".") + ".example"));
    BOOST_TEST(norm("_dmarc.example") == "_dmarc.example");
}

BOOST_AUTO_TEST_CASE(ip_literals) {
    BOOST_TEST(norm("127.0.0.1") == "127.0.0.1");
    BOOST_TEST(norm("::FFFF:127.0.0.1") == "::ffff:127.0.0.1");
    BOOST_TEST(norm("2001:DB8:0::1") == "2001:db8::1");
    BOOST_TEST(normalize_host("10.0.0.1", nullptr)->kind == HostName::Kind::Ipv4);
    BOOST_TEST(normalize_host("::1", nullptr)->kind == HostName::Kind::Ipv6);
    // Forms a resolver would read as 127.0.0.1 are refused, not reinterpreted.
    BOOST_TEST(refused("127.1"));
    BOOST_TEST(refused("2130706433"));
    BOOST_TEST(refused("0x7f.0.0.1"));
    BOOST_TEST(refused("0x7f000001"));
    BOOST_TEST(refused("017700000001"));
    BOOST_TEST(refused("fe80::1%eth0"));
    BOOST_TEST(refused("1::2::3"));
    std::string why;
    normalize_host("127.1", &why);
    BOOST_TEST(why == "numeric host '127.1' is not a dotted-quad IPv4 address");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(host_rules)

BOOST_AUTO_TEST_CASE(exact_and_wildcard) {
    const HostRules r(spec());
    BOOST_TEST(check(r, "allowed.example").allowed);
    BOOST_TEST(check(r, "allowed.example").rule == "allow allowed.example");
    BOOST_TEST(check(r, "ALLOWED.example.").allowed);
    BOOST_TEST(check(r, "runs.ci.example").allowed);
    BOOST_TEST(check(r, "a.b.ci.example").rule == "allow *.ci.example");
    BOOST_TEST(!check(r, "ci.example").allowed);  // a wildcard never covers the apex
    BOOST_TEST(check(r, "ci.example").rule == "not in allow list");
    BOOST_TEST(check(r, "BÜCHER.example").allowed);
}

BOOST_AUTO_TEST_CASE(lookalikes_are_refused) {
    const HostRules r(spec());
    BOOST_TEST(!check(r, "evil-allowed.example").allowed);
    BOOST_TEST(!check(r, "allowed.example.evil").allowed);
    BOOST_TEST(!check(r, "evilallowed.example").allowed);
    BOOST_TEST(!check(r, "xci.example").allowed);
    BOOST_TEST(!check(r, "allowed.example.ci.example.evil").allowed);
    BOOST_TEST(!check(r,
                      "b\xc3\xbc"
                      "cher.example.evil")
                    .allowed);
}

BOOST_AUTO_TEST_CASE(deny_first_in_every_spelling) {
    const HostRules r(spec());
    for (const char* name : {"secret.ci.example", "SECRET.ci.example", "secret.ci.example.", "Secret.CI.Example."}) {
        const auto d = check(r, name);
        BOOST_TEST(!d.allowed, name);
        BOOST_TEST(d.rule == "deny secret.ci.example", name);
    }
    BOOST_TEST(check(r, "x.evil.ci.example").rule == "deny *.evil.ci.example");
    BOOST_TEST(check(r, "evil.ci.example").allowed);  // the deny wildcard does not cover its apex
}

BOOST_AUTO_TEST_CASE(ports) {
    const HostRules r(spec());
    BOOST_TEST(check(r, "allowed.example", 80).allowed);
    const auto d = check(r, "allowed.example", 22);
    BOOST_TEST(!d.allowed);
    BOOST_TEST(d.rule == "port 22 not allowed");
}

BOOST_AUTO_TEST_CASE(ip_literals_only_when_listed) {
    const HostRules r(spec());
    BOOST_TEST(check(r, "203.0.113.7").allowed);
    BOOST_TEST(check(r, "2001:0db8::0001").allowed);
    BOOST_TEST(check(r, "169.254.169.254").rule == "IP literal not listed");
    BOOST_TEST(!check(r, "127.0.0.1").allowed);
    BOOST_TEST(!check(r, "203.0.113.8").allowed);
}

BOOST_AUTO_TEST_CASE(resolve_entries_match_normalized) {
    const HostRules r(spec());
    const auto target = r.resolve_entry(*normalize_host("ALLOWED.example", nullptr));
    BOOST_REQUIRE(target);
    BOOST_TEST(target->host == "127.0.0.1");
    BOOST_TEST(target->port == 8080);
    BOOST_TEST(!r.resolve_entry(*normalize_host("runs.ci.example", nullptr)));
}

BOOST_AUTO_TEST_CASE(bad_entries_name_themselves) {
    NetworkSpec s = spec();
    s.allow = {"a*.example"};
    BOOST_CHECK_EXCEPTION(HostRules{s}, Error, [](const Error& e) {
        return std::string(e.what()) == "network.allow: 'a*.example': only a leading '*.' wildcard is supported";
    });
    s.allow = {"*.10.0.0.1"};
    BOOST_CHECK_THROW(HostRules{s}, Error);
    s.allow = {"ok.example"};
    s.deny = {"bad..example"};
    BOOST_CHECK_EXCEPTION(HostRules{s}, Error, [](const Error& e) {
        return std::string(e.what()) == "network.deny: 'bad..example': empty label in 'bad..example'";
    });
}

BOOST_AUTO_TEST_SUITE_END()
