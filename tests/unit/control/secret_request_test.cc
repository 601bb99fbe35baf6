// Secrets by name in agent requests: deskbox's type_secret, and the
// {{secret:NAME}} placeholder that any dialect's type text may be.
#include <boost/test/unit_test.hpp>

#include "tests/unit/control/parse_helpers.h"

namespace deskbox {
namespace {

using test::expect_error;
using test::only;
using test::parse;

BOOST_AUTO_TEST_CASE(type_secret_names_the_secret_and_optionally_its_field) {
    Action a = only(parse(R"({"action":"type_secret","secret":"ci_password"})"));
    BOOST_TEST((a.kind == ActionKind::TypeSecret));
    BOOST_TEST(a.secret == "ci_password");
    BOOST_TEST(!a.element.has_value());
    a = only(parse(R"({"action":"type_secret","secret":"pw","role":"password text","name":"Password"})"));
    BOOST_TEST(a.element->role == "password text");
    BOOST_TEST(a.element->name == "Password");
    BOOST_TEST(a.text.empty());
}

BOOST_AUTO_TEST_CASE(a_placeholder_as_the_whole_text_becomes_type_secret_in_every_dialect) {
    for (const char* request :
         {R"({"action":"type","text":"{{secret:pw}}"})",
          R"({"type":"computer_call","call_id":"c","action":{"type":"type","text":"{{secret:pw}}"}})",
          R"({"action_type":"TYPING","parameters":{"text":"{{secret:pw}}"}})"}) {
        const Action a = only(parse(request));
        BOOST_TEST((a.kind == ActionKind::TypeSecret), request);
        BOOST_TEST(a.secret == "pw", request);
        BOOST_TEST(a.text.empty(), request);
    }
    const Action a = only(parse(R"({"action":"type_into","name":"Password","text":"{{secret:pw}}"})"));
    BOOST_TEST((a.kind == ActionKind::TypeSecret));
    BOOST_TEST(a.element->name == "Password");
    BOOST_TEST((only(parse(R"({"action":"type","text":"plain"})")).kind == ActionKind::Type));
}

BOOST_AUTO_TEST_CASE(a_placeholder_mixed_with_text_is_refused) {
    expect_error(R"({"action":"type","text":"pw is {{secret:pw}}"})", "invalid_field",
                 "a {{secret:NAME}} placeholder must be the whole text of a type action");
    expect_error(R"({"action":"type","text":"{{secret:a b}}"})", "invalid_field",
                 "a {{secret:NAME}} placeholder needs a secret name of letters, digits, '_', '-' or '.'");
}

}  // namespace
}  // namespace deskbox
