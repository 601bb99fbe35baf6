// Firefox ESR on the same local page as the Chromium cases (form.html): its
// web content is in the tree (Firefox exposes it once AT-SPI is on, no flag
// needed), two buttons sharing a label refuse grounding by name, the browser
// context gives the document's URL and title (Firefox calls the URL "DocURL"),
// and the centre of a reported box is where the button really is.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>

#include "supervisor/base/error.h"
#include "tests/integration/a11y_grounding/a11y_session.h"
#include "xsession/a11y/a11y_match.h"

using namespace deskbox;
using namespace deskbox::a11y;
using deskbox::testing::A11ySession;

namespace {

constexpr Millis kFirefoxTimeout{120000};

std::string form_url() {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    return "file://" + std::string(root ? root : ".") + "/tests/fixtures/a11y/form.html";
}

// A fresh profile that skips first-run pages and default-browser prompts, so
// the first window shows the page.
ProcessId start_firefox(A11ySession& s) {
    const auto profile = s.dir / "firefox";
    std::filesystem::create_directories(profile);
    std::ofstream(profile / "user.js") << "user_pref(\"browser.shell.checkDefaultBrowser\", false);\n"
                                          "user_pref(\"browser.aboutwelcome.enabled\", false);\n"
                                          "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");\n"
                                          "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);\n"
                                          "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);\n"
                                          "user_pref(\"browser.tabs.warnOnClose\", false);\n";
    return s.start_app({"firefox-esr", "--no-remote", "--new-instance", "--profile", profile.string(), form_url()},
                       "firefox");
}

ElementTarget web_button(const std::string& name) {
    return ElementTarget{"push button", name, false, "", ""};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(a11y_firefox)

BOOST_AUTO_TEST_CASE(firefox_page_is_grounded_and_its_context_known) {
    if (!deskbox::testing::a11y_prerequisite("firefox-esr") || !deskbox::testing::a11y_prerequisite("xdotool")) return;
    A11ySession s;
    start_firefox(s);
    // Firefox exposes the page as it lays it out: once the last button is
    // there, both "Failed tests" buttons (earlier in the page) are too.
    s.client().wait_for(web_button("Submit note"), kFirefoxTimeout);
    const FindResult both = s.client().wait_for(web_button("Failed tests"), kFirefoxTimeout);
    BOOST_REQUIRE_EQUAL(both.matches.size(), 2u);
    try {
        s.client().resolve(web_button("Failed tests"));
        BOOST_FAIL("an ambiguous target was resolved");
    } catch (const GroundingError& e) {
        BOOST_TEST(std::string(e.what()).starts_with("expected one target, found 2"), e.what());
    }

    const BrowserContext before = s.client().browser_context();
    BOOST_TEST(before.url == form_url());
    BOOST_TEST(before.title == "CI run RUN-78432");

    // The second button in document order reruns the integration job; its box, clicked, runs its handler.
    BOOST_REQUIRE(both.matches[1].bbox.has_value());
    s.click_at(centre(*both.matches[1].bbox));
    s.client().wait_for(ElementTarget{"document web", "rerun integration", false, "", ""}, kFirefoxTimeout);
    BOOST_TEST(s.client().browser_context().title == "rerun integration");
}

BOOST_AUTO_TEST_SUITE_END()
