// Chromium on a local page (tests/fixtures/a11y/form.html): two buttons share
// the label "Failed tests", so grounding by that name must refuse; the page's
// URL and title come back as the browser context.
#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "supervisor/base/error.h"
#include "tests/integration/a11y_grounding/a11y_session.h"
#include "xsession/a11y/a11y_match.h"

using namespace deskbox;
using namespace deskbox::a11y;
using deskbox::testing::A11ySession;

namespace {

constexpr Millis kBrowserTimeout{90000};

std::string form_url() {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    return "file://" + std::string(root ? root : ".") + "/tests/fixtures/a11y/form.html";
}

ProcessId start_chromium(A11ySession& s) {
    return s.start_app(
        {"chromium", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--user-data-dir=" + (s.dir / "chromium").string(),
         "--force-renderer-accessibility", "--window-position=0,0", "--window-size=1280,800", form_url()},
        "chromium");
}

ElementTarget web_button(const std::string& name) {
    return ElementTarget{"push button", name, false, "", ""};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(a11y_browser)

BOOST_AUTO_TEST_CASE(a_shared_label_is_refused_and_a_unique_one_acts) {
    if (!deskbox::testing::a11y_prerequisite("chromium") || !deskbox::testing::a11y_prerequisite("xdotool")) return;
    A11ySession s;
    start_chromium(s);
    s.client().wait_for(web_button("Submit note"), kBrowserTimeout);

    // Two "Failed tests" buttons: never guessed.
    try {
        s.client().resolve(web_button("Failed tests"));
        BOOST_FAIL("an ambiguous target was resolved");
    } catch (const GroundingError& e) {
        BOOST_TEST(std::string(e.what()).starts_with(
                       "expected one target, found 2 for role \"push button\", name \"Failed tests\": "),
                   e.what());
        BOOST_REQUIRE_EQUAL(e.candidates().size(), 2u);
        BOOST_TEST(e.candidates()[0].bbox.has_value());
        BOOST_TEST(e.candidates()[1].bbox.has_value());
        BOOST_TEST(!(*e.candidates()[0].bbox == *e.candidates()[1].bbox));
    }

    const BrowserContext before = s.client().browser_context();
    BOOST_TEST(before.url == form_url());
    BOOST_TEST(before.title == "CI run RUN-78432");

    // type_into: through EditableText where the toolkit offers it; Chromium does
    // not, so focus through AT-SPI and type with the keyboard (what the Desktop does).
    const Element note = s.client().resolve(ElementTarget{"entry", "Note", false, "", ""});
    if (note.editable_text) {
        s.client().act(note, ElementAction::SetText, "flaky");
    } else {
        BOOST_TEST(s.client().act(note, ElementAction::Focus) == "grab_focus");
        // grab_focus reaches the renderer asynchronously; under load the keys
        // below could arrive first. A click on the entry goes through the X
        // event queue ahead of the keys, so the text lands there in order.
        s.click_at(centre(*note.bbox));
        s.run({"xdotool", "type", "--delay", "0", "flaky"});
    }
    // Then a real click at the centre of the reported box.
    const Element submit = s.client().resolve(web_button("Submit note"));
    s.click_at(centre(*submit.bbox));
    s.client().wait_for(ElementTarget{"document web", "Submitted flaky", false, "", ""}, kBrowserTimeout);
    BOOST_TEST(s.client().browser_context().title == "Submitted flaky");
}

BOOST_AUTO_TEST_CASE(clicking_one_of_the_shared_label_buttons_by_box) {
    if (!deskbox::testing::a11y_prerequisite("chromium") || !deskbox::testing::a11y_prerequisite("xdotool")) return;
    A11ySession s;
    start_chromium(s);
    s.client().wait_for(web_button("Submit note"), kBrowserTimeout);  // the page's last button: all are there
    const FindResult both = s.client().wait_for(web_button("Failed tests"), kBrowserTimeout);
    BOOST_REQUIRE_EQUAL(both.matches.size(), 2u);
    // The second one in document order is the integration button: its box, clicked, runs its handler.
    s.click_at(centre(*both.matches[1].bbox));
    s.client().wait_for(ElementTarget{"document web", "rerun integration", false, "", ""}, kBrowserTimeout);
    BOOST_TEST(s.client().browser_context().title == "rerun integration");
}

BOOST_AUTO_TEST_SUITE_END()
