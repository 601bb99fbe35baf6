#include "policy/redact.h"

#include <boost/test/unit_test.hpp>

using namespace deskbox;

namespace {
Pattern pattern(const std::string& source) {
    std::string error;
    return *compile_pattern(source, error);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(redact)

BOOST_AUTO_TEST_CASE(secret_values_are_replaced_everywhere) {
    const Redactor r({"hunter2-CI-pass", "hunter2"}, {});
    BOOST_TEST(r.redact("login with hunter2-CI-pass, then hunter2") == "login with [REDACTED], then [REDACTED]");
    BOOST_TEST(r.redact("hunter2hunter2") == "[REDACTED][REDACTED]");
}

BOOST_AUTO_TEST_CASE(emails) {
    BOOST_TEST(redact_emails("mail ops.lead+ci@incidents.example.com now") == "mail [REDACTED] now");
    BOOST_TEST(redact_emails("a@b.cd, x@y.org.") == "[REDACTED], [REDACTED].");
    BOOST_TEST(redact_emails("user@localhost @home a@b.c 5@6.78") == "user@localhost @home a@b.c 5@6.78");
}

BOOST_AUTO_TEST_CASE(credentials) {
    BOOST_TEST(redact_credentials("https://x/?user=bob&password=s3cr3t&x=1") ==
               "https://x/?user=bob&password=[REDACTED]&x=1");
    BOOST_TEST(redact_credentials("DB_PASSWORD: abc token=xyz api_key = k1") ==
               "DB_PASSWORD: [REDACTED] token=[REDACTED] api_key = [REDACTED]");
    BOOST_TEST(redact_credentials(R"({"access_token": "tok123", "name": "n"})") ==
               R"({"access_token": "[REDACTED]", "name": "n"})");
    BOOST_TEST(redact_credentials("Authorization: Bearer eyJhbGciOi.J9.x-y_z") == "Authorization: Bearer [REDACTED]");
    BOOST_TEST(redact_credentials("X-Api-Key: 42") == "X-Api-Key: [REDACTED]");
    // Words that merely contain the key names, or keys without a value, stay.
    BOOST_TEST(redact_credentials("tokens are fine; password reset; bearer bonds") ==
               "tokens are fine; password reset; bearer bonds");
}

BOOST_AUTO_TEST_CASE(policy_patterns) {
    const Redactor r({}, {pattern("RUN-SECRET-[0-9]+"), pattern("x*")});
    BOOST_TEST(r.redact("see RUN-SECRET-77 and RUN-SECRET-8.") == "see [REDACTED] and [REDACTED].");
}

BOOST_AUTO_TEST_CASE(long_text_is_cut_after_secrets_are_gone) {
    const std::string secret = "TOPSECRETVALUE";
    const Redactor r({secret}, {});
    // The secret straddles the cut: it must be replaced before the cut.
    std::string text(kMaxRecordedText - 5, 'a');
    text += secret + std::string(100, 'b');
    const std::string out = r.redact(text);
    BOOST_TEST(out.find("TOPSE") == std::string::npos);
    BOOST_TEST(out.find("more bytes not recorded]") != std::string::npos);
    BOOST_TEST(out.size() < kMaxRecordedText + 64);
}

BOOST_AUTO_TEST_CASE(json_values_are_redacted_recursively) {
    const Redactor r({"pw1"}, {});
    nlohmann::json j = {{"a", "pw1"}, {"list", {"x pw1", 3, {{"deep", "mail me@x.org"}}}}};
    r.redact_json(j);
    BOOST_TEST(j.dump() == R"({"a":"[REDACTED]","list":["x [REDACTED]",3,{"deep":"mail [REDACTED]"}]})");
}

BOOST_AUTO_TEST_SUITE_END()
