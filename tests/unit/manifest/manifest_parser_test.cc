// The manifest parser's every error class, word for word: diagnostics are interface.
#include "supervisor/manifest/manifest_parser.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/unit/manifest/parse_helpers.h"

using namespace deskbox;

namespace {

const std::string kApps = "apps:\n  - {name: editor, exec: [zenity, --entry]}\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(manifest_parser)

BOOST_AUTO_TEST_CASE(minimal_manifest_gets_defaults) {
    const Manifest m = parse("session: {name: s1}\n" + kApps);
    BOOST_TEST(m.session.name == "s1");
    BOOST_TEST(m.session.display.width == 1280);
    BOOST_TEST(m.session.display.height == 800);
    BOOST_TEST(!m.session.display.glx);
    BOOST_TEST(m.sandbox.memory == 2ull << 30);
    BOOST_TEST(m.sandbox.pids == 512u);
    BOOST_TEST((m.network.mode == NetworkMode::None));
    BOOST_TEST(m.apps.size() == 1u);
    BOOST_TEST(m.apps[0].exec[1] == "--entry");
    BOOST_TEST((m.apps[0].restart == RestartPolicy::Never));
    BOOST_TEST(!m.review.takeover);
    BOOST_TEST(!m.policy.has_value());
}

BOOST_AUTO_TEST_CASE(full_manifest_parses_units_and_paths) {
    const Manifest m = parse(R"(version: 1
session:
  name: ci-incident
  display: {width: 1024, height: 768, depth: 24, glx: true, window_manager: [openbox]}
  budget: {steps: 200, wall_clock: 15m, actions_per_second: 5}
sandbox:
  memory: 512M
  pids: 128
  cpu: 0.5
  home_size: 1G
  files: [{from: fixtures/report.ods, to: ~/report.ods, mode: ro}]
network:
  mode: allowlist
  allow: [ci.example, "*.incidents.example"]
  resolve: {ci.example: "127.0.0.1:8080"}
apps:
  - name: browser
    exec: [chromium, "http://ci.example/"]
    env: {LANG: C.UTF-8}
    ready: {wm_class: chromium, timeout: 90s}
    restart: on-failure
    max_restarts: 2
    browser_sandbox: true
policy: ../policy/ci.yaml
secrets:
  ci_password: {from: "env:CI_PASSWORD", domains: [ci.example]}
review: {vnc: {view_only: true}, takeover: true, approval_timeout: 2m}
verify:
  - {a11y: {role: heading, name: "Run 1"}}
  - {file: {path: ~/out.txt, contains: done}}
observe: {scale: {width: 1024, height: 640}}
)");
    BOOST_TEST(m.session.budget.wall_clock.count() == 900'000);
    BOOST_TEST(m.session.display.window_manager[0] == "openbox");
    BOOST_TEST(m.session.display.glx);
    BOOST_TEST(m.sandbox.memory == 512ull << 20);
    BOOST_TEST(m.sandbox.cpu == 0.5);
    BOOST_TEST(m.sandbox.files[0].from.string() == "/srv/fixtures/report.ods");
    BOOST_TEST((m.sandbox.files[0].mode == PlaceMode::ReadOnly));
    BOOST_TEST(m.network.resolve.at("ci.example").host == "127.0.0.1");
    BOOST_TEST(m.network.resolve.at("ci.example").port == 8080);
    BOOST_TEST(m.apps[0].ready.timeout.count() == 90'000);
    BOOST_TEST(m.apps[0].env.at("LANG") == "C.UTF-8");
    BOOST_TEST((m.apps[0].restart == RestartPolicy::OnFailure));
    BOOST_TEST(m.policy->string() == "/policy/ci.yaml");
    BOOST_TEST(m.secrets[0].from == "env:CI_PASSWORD");
    BOOST_TEST(m.review.takeover);
    BOOST_TEST(m.verify.size() == 2u);
    BOOST_TEST((m.verify[1].kind == VerifyCheck::Kind::File));
    BOOST_TEST(*m.observe.scale_width == 1024);
}

// Input over VNC would bypass the gate and the audit log: takeover is the audited way.
BOOST_AUTO_TEST_CASE(vnc_input_without_takeover_is_refused) {
    BOOST_TEST(error_of("session: {name: s}\n" + kApps + "review:\n  vnc: {view_only: false}\n") ==
               "/srv/m.yaml:5:20: review.vnc.view_only: false would give every VNC viewer input that bypasses the "
               "gate and the audit log; remove it and set review.takeover: true, so that a reviewer takes control "
               "with 'deskbox takeover' (audited, the agent held)");
}

BOOST_AUTO_TEST_CASE(unknown_key_suggests_nearest) {
    BOOST_TEST(error_of("session: {name: s}\nsandbox:\n  memroy: 1G\n" + kApps) ==
               "/srv/m.yaml:3:3: unknown key 'memroy' in 'sandbox' (did you mean 'memory'?)");
}

BOOST_AUTO_TEST_CASE(unknown_key_without_near_match_lists_known_keys) {
    BOOST_TEST(error_of("session: {name: s, colour: red}\n" + kApps) ==
               "/srv/m.yaml:1:20: unknown key 'colour' in 'session' (known keys: budget, display, name)");
}

BOOST_AUTO_TEST_CASE(unknown_top_level_key) {
    BOOST_TEST(error_of("session: {name: s}\n" + kApps + "netwrk: {mode: none}\n") ==
               "/srv/m.yaml:4:1: unknown key 'netwrk' (did you mean 'network'?)");
}

BOOST_AUTO_TEST_CASE(wrong_type) {
    BOOST_TEST(error_of("session: {name: s}\nsandbox: {pids: many}\n" + kApps) ==
               "/srv/m.yaml:2:17: sandbox.pids: expected a whole number, got 'many'");
    BOOST_TEST(error_of("session: [a, b]\n" + kApps) == "/srv/m.yaml:1:10: session: expected a mapping, got a list");
    BOOST_TEST(error_of("session: {name: s}\napps:\n  - {name: e, exec: zenity}\n") ==
               "/srv/m.yaml:3:21: apps[0].exec: expected a list of strings, got 'zenity'");
}

BOOST_AUTO_TEST_CASE(out_of_range) {
    BOOST_TEST(error_of("session: {name: s, display: {width: 99999}}\n" + kApps) ==
               "/srv/m.yaml:1:37: session.display.width: 99999 is out of range (expected 320..7680)");
    BOOST_TEST(error_of("session: {name: s}\nsandbox: {memory: 1M}\n" + kApps) ==
               "/srv/m.yaml:2:19: sandbox.memory: 1M is out of range (expected 64M..1T)");
}

BOOST_AUTO_TEST_CASE(missing_required) {
    BOOST_TEST(error_of(kApps) == "/srv/m.yaml:1:1: missing required key 'session'");
    BOOST_TEST(error_of("session: {display: {width: 800}}\n" + kApps) ==
               "/srv/m.yaml:1:10: missing required key 'session.name'");
    BOOST_TEST(error_of("session: {name: s}\napps:\n  - {name: e}\n") ==
               "/srv/m.yaml:3:5: missing required key 'apps[0].exec'");
}

BOOST_AUTO_TEST_CASE(bad_size_and_duration) {
    BOOST_TEST(error_of("session: {name: s}\nsandbox: {home_size: huge}\n" + kApps) ==
               "/srv/m.yaml:2:22: sandbox.home_size: expected a size like 512M or 2G, got 'huge'");
    BOOST_TEST(error_of("session: {name: s, budget: {wall_clock: soon}}\n" + kApps) ==
               "/srv/m.yaml:1:41: session.budget.wall_clock: expected a duration like 90s or 15m, got 'soon'");
}

BOOST_AUTO_TEST_CASE(bad_enum_suggests) {
    BOOST_TEST(error_of("session: {name: s}\nnetwork: {mode: allowlst}\n" + kApps) ==
               "/srv/m.yaml:2:17: network.mode: expected one of none, allowlist, got 'allowlst' (did you mean "
               "'allowlist'?)");
}

BOOST_AUTO_TEST_CASE(bad_session_name) {
    BOOST_TEST(error_of("session: {name: ../etc}\n" + kApps) ==
               "/srv/m.yaml:1:17: session.name: '../etc' is not a valid session name (expected 1-63 of a-z 0-9 . _ "
               "-, starting with a letter or digit)");
}

BOOST_AUTO_TEST_CASE(cross_field_rules) {
    BOOST_TEST(error_of("session: {name: s}\nnetwork: {mode: allowlist}\n" + kApps) ==
               "/srv/m.yaml:2:10: network: mode allowlist needs a non-empty 'allow' list");
    BOOST_TEST(error_of("session: {name: s}\nnetwork: {allow: [a.example]}\n" + kApps) ==
               "/srv/m.yaml:2:10: network: 'allow' and 'resolve' need mode: allowlist (mode is none)");
    BOOST_TEST(error_of("session: {name: s}\napps:\n  - {name: a, exec: [x]}\n  - {name: a, exec: [y]}\n") ==
               "/srv/m.yaml:4:5: apps[1].name: 'a' is used by an earlier app");
    BOOST_TEST(error_of("session: {name: s}\nnetwork: {mode: allowlist, allow: [a.example], resolve: {a.example: "
                        "localhost}}\n" +
                        kApps) ==
               "/srv/m.yaml:2:69: network.resolve.a.example: expected an IP address (optionally with :port), got "
               "'localhost'");
    BOOST_TEST(error_of("session: {name: s}\n" + kApps + "verify:\n  - {a11y: {role: x}, file: {path: /a}}\n") ==
               "/srv/m.yaml:5:5: verify[0]: expected exactly one of a11y, file, command, url, window, spreadsheet");
}

BOOST_AUTO_TEST_CASE(verify_command_timeout) {
    const Manifest m = parse_manifest_text("session: {name: s}\n" + kApps +
                                               "verify:\n  - {command: {run: [true]}}\n"
                                               "  - {command: {run: [sh, -c, 'exit 3'], exit: 3, timeout: 90s}}\n",
                                           "/srv/m.yaml");
    BOOST_TEST(m.verify[0].timeout.count() == 30'000);
    BOOST_TEST(m.verify[1].timeout.count() == 90'000);
    BOOST_TEST(m.verify[1].expect_exit == 3);
    BOOST_TEST(error_of("session: {name: s}\n" + kApps + "verify:\n  - {command: {run: [true], timeout: 2h}}\n")
                   .find("verify[0].command.timeout") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_key) {
    BOOST_TEST(error_of("session: {name: s}\n" + kApps + "policy: a.yaml\npolicy: b.yaml\n") ==
               "/srv/m.yaml:5:1: duplicate key 'policy'");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error) {
    BOOST_TEST(error_of("session: {name: s\n") == "/srv/m.yaml:2:1: YAML syntax error: end of map flow not found");
}

BOOST_AUTO_TEST_CASE(binary_and_invalid_utf8_and_empty) {
    BOOST_TEST(error_of(std::string("session: {name: s}\n\0\x01", 21)) ==
               "/srv/m.yaml:2:1: NUL byte: this is not a YAML text file");
    BOOST_TEST(error_of("session: {name: \xff}\n") == "/srv/m.yaml:1:17: invalid UTF-8");
    BOOST_TEST(error_of("") == "/srv/m.yaml:1:1: empty manifest: expected a mapping with session and apps");
}

BOOST_AUTO_TEST_CASE(huge_input_is_refused) {
    const std::string huge(2 << 20, '#');
    BOOST_TEST(error_of(huge) == "/srv/m.yaml:1:1: file is 2097152 bytes, larger than the limit of 1048576 bytes");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_an_error_not_a_crash) {
    const std::string deep = "session: " + std::string(100000, '[') + "\n";
    const std::string error = error_of(deep);
    BOOST_TEST(error.rfind("/srv/m.yaml:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(session_names) {
    BOOST_TEST(valid_session_name("ci-incident.2"));
    BOOST_TEST(!valid_session_name(""));
    BOOST_TEST(!valid_session_name("-x"));
    BOOST_TEST(!valid_session_name("Upper"));
    BOOST_TEST(!valid_session_name(std::string(64, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
