// The manifest's setup steps and secret uses, and the conditions under which
// a secret may be typed: parsing errors word for word, every refusal named.
#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"
#include "supervisor/manifest/secret_conditions.h"
#include "tests/unit/manifest/parse_helpers.h"
#include "xsession/actions/secret_placeholder.h"

using namespace deskbox;

namespace {

const std::string kHead = R"(session: {name: s1}
network: {mode: allowlist, allow: [ci.example, other.example]}
apps:
  - {name: browser, exec: [chromium]}
  - {name: calc, exec: [soffice, --calc]}
secrets:
  ci_password:
    from: env:CI_PASSWORD
    domains: [ci.example]
  vpn:
    from: env:VPN
    fields: [{role: text, name: PIN}]
    windows: [{class: Zenity}]
)";

GateContext browser_password(const std::string& host) {
    GateContext c;
    c.target = TargetElement{"password text", "Password", std::nullopt, {}};
    c.window = FocusedWindow{"Chromium", "Sign in", "chromium", 1, 10, "browser"};
    c.domain = host;
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(setup_steps)

BOOST_AUTO_TEST_CASE(every_step_kind_parses_with_its_line) {
    const Manifest m = parse(kHead + R"(setup:
  - open: {url: "http://ci.example/login", app: browser}
  - open: {file: ~/budget.ods, app: calc}
  - launch: {exec: [xterm]}
  - wait_for: {title: budget.ods, timeout: 20s}
  - wait_for: {role: push button, name: Sign in}
  - activate_window: {wm_class: Chromium}
  - key: ctrl+l
  - type: hello
  - click_element: {role: link, name: Runs}
  - login:
      user: {role: entry, name: User, value: alice}
      password: {role: password text, name: Password, secret: ci_password}
      submit: {role: push button, name: Sign in}
      wait_for: {title: Runs, timeout: 10s}
)");
    BOOST_TEST_REQUIRE(m.setup.size() == 10u);
    BOOST_TEST((m.setup[0].kind == SetupStep::Kind::Open));
    BOOST_TEST(m.setup[0].url == "http://ci.example/login");
    BOOST_TEST(m.setup[0].line == 15);
    BOOST_TEST(m.setup[1].file == "~/budget.ods");
    BOOST_TEST(m.setup[2].exec[0] == "xterm");
    BOOST_TEST(m.setup[3].wait.title == "budget.ods");
    BOOST_TEST(m.setup[3].wait.timeout.count() == 20'000);
    BOOST_TEST(m.setup[4].wait.element.name == "Sign in");
    BOOST_TEST(!m.setup[4].wait.is_window());
    BOOST_TEST(m.setup[6].keys == "ctrl+l");
    BOOST_TEST(m.setup[7].text == "hello");
    BOOST_TEST(m.setup[8].element.role == "link");
    const SetupStep& login = m.setup[9];
    BOOST_TEST((login.kind == SetupStep::Kind::Login));
    BOOST_TEST(login.user == "alice");
    BOOST_TEST(login.secret == "ci_password");
    BOOST_TEST(login.submit.name == "Sign in");
    BOOST_TEST(login.wait.title == "Runs");
    BOOST_TEST(m.secrets[1].use.fields[0].name == "PIN");
    BOOST_TEST(m.secrets[1].use.window_classes[0] == "Zenity");
}

BOOST_AUTO_TEST_CASE(errors_name_the_step_and_place) {
    BOOST_TEST(error_of(kHead + "setup:\n  - wait_for: {title: x, role: entry}\n") ==
               "/srv/m.yaml:15:15: setup[0].wait_for: expected a window (wm_class and/or title) or an element "
               "(role and/or name), not both");
    BOOST_TEST(error_of(kHead + "setup:\n  - open: {url: http://ci.example, app: mail}\n") ==
               "/srv/m.yaml:15:41: setup[0].open.app: no app named 'mail' in apps");
    BOOST_TEST(error_of(kHead + "setup:\n  - open: {url: ftp://x, app: browser}\n") ==
               "/srv/m.yaml:15:11: setup[0].open.url: expected an http:// or https:// URL, got 'ftp://x'");
    BOOST_TEST(error_of(kHead + "setup:\n  - wait_fr: {title: x}\n") ==
               "/srv/m.yaml:15:5: setup[0]: unknown step 'wait_fr' (did you mean 'wait_for'?)");
    BOOST_TEST(error_of(kHead + "setup:\n  - key: ctrl+nosuchkey\n") ==
               "/srv/m.yaml:15:10: setup[0].key: unknown key 'nosuchkey' (expected a key chord like ctrl+l)");
    BOOST_TEST(error_of(kHead + R"(setup:
  - login:
      user: {name: User, value: alice}
      password: {name: Password, secret: nope}
      submit: {name: Go}
      wait_for: {title: Runs}
)") == "/srv/m.yaml:17:17: setup[0].login.password.secret: no secret named 'nope' in secrets");
    BOOST_TEST(
        error_of(kHead + "setup:\n  - activate_window: {role: x}\n") ==
        "/srv/m.yaml:15:23: unknown key 'role' in 'setup[0].activate_window' (known keys: timeout, title, wm_class)");
    BOOST_TEST(error_of(kHead + "setup:\n  - {key: a, type: b}\n") ==
               "/srv/m.yaml:15:5: setup[0]: expected one step (open, launch, wait_for, activate_window, key, type, "
               "click_element, login), got a mapping");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(secret_conditions)

BOOST_AUTO_TEST_CASE(password_field_on_a_covered_domain_is_allowed) {
    const Manifest m = parse(kHead);
    BOOST_TEST(!secret_refusal(m.secrets, "ci_password", browser_password("ci.example")).has_value());
}

BOOST_AUTO_TEST_CASE(each_failed_condition_is_named) {
    const Manifest m = parse(kHead);
    auto refusal = [&](const std::string& name, const GateContext& c) {
        const auto r = secret_refusal(m.secrets, name, c);
        return r ? r->condition + ": " + r->reason : std::string("(allowed)");
    };
    BOOST_TEST(refusal("nope", browser_password("ci.example")) == "secret: the manifest has no secret named 'nope'");
    BOOST_TEST(refusal("ci_password", browser_password("other.example")) ==
               "place: the page's host 'other.example' is not in secrets.ci_password.domains");

    GateContext text_field = browser_password("ci.example");
    text_field.target = TargetElement{"entry", "Search", std::nullopt, {}};
    BOOST_TEST(
        refusal("ci_password", text_field) ==
        "target: the element 'entry' 'Search' is not a password field nor a field secrets.ci_password.fields allows");

    GateContext unknown_target = browser_password("ci.example");
    unknown_target.target.reset();
    unknown_target.unreadable["target"] = "the app does not answer";
    BOOST_TEST(refusal("ci_password", unknown_target) ==
               "target: the target element is not known (the app does not answer), so it cannot be shown to be a "
               "password field");

    GateContext unknown_domain = browser_password("");
    unknown_domain.unreadable["domain"] = "timeout";
    BOOST_TEST(refusal("ci_password", unknown_domain) == "place: the browser document's host is not known (timeout)");

    GateContext no_browser = browser_password("");
    no_browser.window->window_class = "Xterm";
    BOOST_TEST(refusal("ci_password", no_browser) ==
               "place: window 'Xterm' shows no browser document and is not one secrets.ci_password.windows allows");

    GateContext nothing = browser_password("ci.example");
    nothing.target.reset();
    BOOST_TEST(refusal("ci_password", nothing) == "target: no element would receive the secret");
}

BOOST_AUTO_TEST_CASE(allowed_fields_and_windows_of_a_thick_client) {
    const Manifest m = parse(kHead);
    GateContext pin;
    pin.target = TargetElement{"text", "PIN", std::nullopt, {}};
    pin.window = FocusedWindow{"Zenity", "VPN", "zenity", 2, 11, ""};
    BOOST_TEST(!secret_refusal(m.secrets, "vpn", pin).has_value());
    pin.target->name = "Other";
    BOOST_TEST(secret_refusal(m.secrets, "vpn", pin)->condition == "target");
    // A protected (password) field in an allowed window counts too.
    pin.target = TargetElement{"text", "Other", std::nullopt, {"protected"}};
    BOOST_TEST(!secret_refusal(m.secrets, "vpn", pin).has_value());
    pin.window->window_class = "Gedit";
    pin.window->instance = "gedit";
    BOOST_TEST(secret_refusal(m.secrets, "vpn", pin)->condition == "place");
}

BOOST_AUTO_TEST_CASE(placeholder_is_the_whole_text_or_an_error) {
    BOOST_TEST(*secret_placeholder("{{secret:ci_password}}") == "ci_password");
    BOOST_TEST(!secret_placeholder("plain text").has_value());
    BOOST_CHECK_THROW(secret_placeholder("pw: {{secret:ci_password}}"), Error);
    BOOST_CHECK_THROW(secret_placeholder("{{secret:}}"), Error);
    BOOST_CHECK_THROW(secret_placeholder("{{secret:a b}}"), Error);
    BOOST_CHECK_THROW(secret_placeholder("{{secret:x"), Error);
}

BOOST_AUTO_TEST_SUITE_END()
