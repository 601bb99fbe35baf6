// A GTK app (zenity) in a real session: names, roles and boxes checked against
// what is on screen by acting on them.
#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "tests/integration/a11y_grounding/a11y_session.h"
#include "xsession/a11y/a11y_match.h"

using namespace deskbox;
using namespace deskbox::a11y;
using deskbox::testing::A11ySession;

namespace {

constexpr Millis kAppTimeout{60000};

ElementTarget button(const std::string& name) {
    return ElementTarget{"push button", name, false, "zenity", ""};
}

int exit_code(std::optional<int> status) {
    BOOST_REQUIRE_MESSAGE(status.has_value(), "zenity did not exit");
    BOOST_REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(a11y_gtk)

BOOST_AUTO_TEST_CASE(clicking_the_centre_of_the_reported_box_presses_that_button) {
    if (!deskbox::testing::a11y_prerequisite("zenity") || !deskbox::testing::a11y_prerequisite("xdotool")) return;
    A11ySession s;
    const ProcessId app = s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    const FindResult found = s.client().wait_for(button("Yes"), kAppTimeout);
    const Element yes = resolve_one(found.matches, found.truncated, found.truncated_reason, button("Yes"));
    BOOST_TEST(yes.app == "zenity");
    BOOST_REQUIRE(yes.bbox);
    BOOST_TEST(yes.bbox->width > 0);
    BOOST_TEST(yes.bbox->x >= 0);
    BOOST_TEST(yes.bbox->x + yes.bbox->width <= 1280);
    BOOST_TEST(yes.bbox->y + yes.bbox->height <= 800);

    // The element under the centre is that button (or the label inside it).
    const auto hit = s.client().hit_test(centre(*yes.bbox));
    BOOST_REQUIRE(hit.has_value());
    BOOST_TEST((hit->name == "Yes"), hit->role + " \"" + hit->name + "\"");

    s.click_at(centre(*yes.bbox));
    BOOST_TEST(exit_code(s.wait_exit(app, kAppTimeout)) == 0);  // zenity: 0 = Yes
}

BOOST_AUTO_TEST_CASE(the_atspi_action_presses_the_resolved_button) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    const ProcessId app = s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    s.client().wait_for(button("No"), kAppTimeout);
    const Element no = s.client().resolve(button("No"));
    BOOST_TEST(s.client().act(no, ElementAction::Click) == "click");
    BOOST_TEST(exit_code(s.wait_exit(app, kAppTimeout)) == 1);  // zenity: 1 = No
}

BOOST_AUTO_TEST_CASE(type_into_sets_the_entry_text) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    const ProcessId app = s.start_app({"zenity", "--entry", "--text", "Ticket"}, "zenity");
    const ElementTarget entry{"text", "", false, "zenity", ""};
    s.client().wait_for(entry, kAppTimeout);
    const Element field = s.client().resolve(entry);
    BOOST_TEST(field.editable_text);
    BOOST_TEST(s.client().act(field, ElementAction::SetText, "INC-4711") == "set_text_contents");
    s.client().act(s.client().resolve(button("OK")), ElementAction::Click);
    BOOST_TEST(exit_code(s.wait_exit(app, kAppTimeout)) == 0);
    BOOST_TEST(s.output(app) == "INC-4711\n");
}

BOOST_AUTO_TEST_CASE(tree_formats_describe_the_dialog) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    const Element yes = s.client().wait_for(button("Yes"), kAppTimeout).matches.at(0);

    const Tree all = s.client().tree(TreeFilter::All);
    BOOST_TEST(!all.truncated);
    BOOST_TEST(all.elements.at(0).role == "application");
    const Tree interactive = s.client().tree(TreeFilter::Interactive);
    BOOST_TEST(interactive.elements.size() < all.elements.size());
    BOOST_TEST(!find_matches(interactive, button("Yes")).empty());

    const auto json =
        nlohmann::json::parse(s.client().tree_text(TreeFormat::Json, TreeFilter::Interactive, ScaleFactors{0.5, 0.5}));
    bool seen = false;
    for (const auto& e : json["elements"]) {
        if (e["name"] != "Yes") continue;
        seen = true;
        BOOST_TEST(e["bbox"]["x"].get<int>() == yes.bbox->x);
        BOOST_TEST(e["bbox_scaled"]["x"].get<int>() == scale_rect(*yes.bbox, ScaleFactors{0.5, 0.5}).x);
        BOOST_TEST(e["window"].get<std::string>() == yes.window);
    }
    BOOST_TEST(seen);

    const std::string xml = s.client().tree_text(TreeFormat::OsworldXml, TreeFilter::All, ScaleFactors{});
    BOOST_TEST(xml.starts_with("<desktop-frame xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\""));
    BOOST_TEST(xml.find("<application name=\"zenity\"") != std::string::npos);
    BOOST_TEST(xml.find("<push-button name=\"Yes\"") != std::string::npos);

    const std::string table = s.client().tree_text(TreeFormat::Linearized, TreeFilter::Interactive, ScaleFactors{});
    // The class column is filled (OSWorld leaves it empty on Linux): GTK names
    // no class, so it is the role qualified by the toolkit the application reports.
    const std::string toolkit = all.elements.at(0).toolkit;
    BOOST_TEST(!toolkit.empty());
    const std::string row = "push-button\tYes\t\"\"\t" + toolkit + ".push-button\t";
    BOOST_TEST(table.find("\n" + row) != std::string::npos, table);
    BOOST_TEST(table.find("(" + std::to_string(yes.bbox->x) + ", " + std::to_string(yes.bbox->y) + ")") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_small_node_limit_truncates_and_says_so) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    s.client().wait_for(button("Yes"), kAppTimeout);
    HelperOptions options = s.helper_options();
    options.limits.max_nodes = 3;
    A11yClient small(s.spawner, options);
    const Tree t = small.tree();
    BOOST_TEST(t.elements.size() == 3u);
    BOOST_TEST(t.truncated);
    BOOST_TEST(t.truncated_reason == "max_nodes");
    // A search cut short refuses rather than guess.
    BOOST_CHECK_EXCEPTION(small.resolve(button("Yes")), GroundingError, [](const GroundingError& e) {
        return std::string(e.what()).find("the search was truncated: max_nodes") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(no_match_is_refused_with_the_count) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    s.client().wait_for(button("Yes"), kAppTimeout);
    BOOST_CHECK_EXCEPTION(s.client().resolve(button("Maybe")), GroundingError, [](const GroundingError& e) {
        return std::string(e.what()) ==
               "expected one target, found 0 for role \"push button\", name \"Maybe\", app \"zenity\"";
    });
}

// The split form an event loop uses: begin, poll the fd, read without
// blocking, finish. Gives the same tree as the blocking call.
BOOST_AUTO_TEST_CASE(the_split_form_answers_through_the_poll_fd) {
    if (!deskbox::testing::a11y_prerequisite("zenity")) return;
    A11ySession s;
    s.start_app({"zenity", "--question", "--text", "Deploy now?"}, "zenity");
    s.client().wait_for(button("Yes"), kAppTimeout);
    A11yClient& c = s.client();

    c.begin_tree();
    BOOST_TEST(c.in_flight());
    BOOST_CHECK_THROW(c.begin_find(button("Yes")), deskbox::Error);  // one request at a time
    int wakeups = 0;
    while (!c.on_readable()) {
        pollfd p{c.poll_fd(), POLLIN, 0};
        const std::int64_t left = std::max<std::int64_t>(0, c.deadline_ms() - monotonic_ms());
        BOOST_REQUIRE(::poll(&p, 1, static_cast<int>(left)) >= 0);
        ++wakeups;
    }
    const Tree t = c.finish_tree(TreeFilter::Interactive);
    BOOST_TEST(!c.in_flight());
    BOOST_TEST(!find_matches(t, button("Yes")).empty());
    BOOST_TEST_MESSAGE("tree reply after " << wakeups << " poll wakeups");

    c.begin_find(button("No"));
    while (!c.on_readable()) {
        pollfd p{c.poll_fd(), POLLIN, 0};
        BOOST_REQUIRE(::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, c.deadline_ms() - monotonic_ms()))) >=
                      0);
    }
    const FindResult no = c.finish_find();
    BOOST_REQUIRE_EQUAL(no.matches.size(), 1u);
    BOOST_TEST(no.matches[0].name == "No");
    // The blocking calls still work after the split ones.
    BOOST_TEST(c.resolve(button("Yes")).name == "Yes");
}

BOOST_AUTO_TEST_SUITE_END()
