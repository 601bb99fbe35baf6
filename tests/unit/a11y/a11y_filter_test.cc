#include "xsession/a11y/a11y_filter.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/unit/a11y/sample_tree.h"

using namespace deskbox::a11y;
using namespace deskbox::a11y::testing;
using deskbox::Rect;

BOOST_AUTO_TEST_SUITE(a11y_filter)

BOOST_AUTO_TEST_CASE(judge_node_rules) {
    const Tree t = sample_tree();
    std::vector<int> kept;
    for (const Element& e : t.elements)
        if (is_interactive(e)) kept.push_back(e.id);
    // OK, the text entry (text, no name), the second OK, the slider.
    BOOST_TEST(kept == (std::vector<int>{2, 3, 5, 6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(role_classes) {
    Element e = make(0, -1, 1, "", "x", kOnScreen, Rect{0, 0, 10, 10});
    for (const char* role : {"push button", "menu item", "heading", "link", "check box", "combo box", "entry",
                             "document web", "table cell", "toggle button", "menu"}) {
        e.role = role;
        BOOST_TEST(is_interactive(e), role);
    }
    for (const char* role : {"frame", "panel", "filler", "separator", "scroll pane", "tool bar", "application"}) {
        e.role = role;
        BOOST_TEST(!is_interactive(e), role);
    }
}

BOOST_AUTO_TEST_CASE(needs_an_enabling_state_and_a_box) {
    Element e = make(0, -1, 1, "push button", "x", {"showing", "visible"}, Rect{0, 0, 10, 10});
    BOOST_TEST(!is_interactive(e));
    e.states.push_back("checkable");
    BOOST_TEST(is_interactive(e));
    e.bbox = Rect{0, 0, 0, 10};
    BOOST_TEST(!is_interactive(e));
}

BOOST_AUTO_TEST_CASE(images_only_when_asked) {
    Element e = make(0, -1, 1, "image", "", kOnScreen, Rect{0, 0, 10, 10});
    e.image = true;
    BOOST_TEST(!is_interactive(e));
    BOOST_TEST(is_interactive(e, true));
}

BOOST_AUTO_TEST_CASE(object_replacement_characters_do_not_count_as_text) {
    Element e = make(0, -1, 1, "paragraph", "", kOnScreen, Rect{0, 0, 10, 10});
    e.text = "\xEF\xBF\xBC\xEF\xBF\xBD";
    BOOST_TEST(visible_text(e).empty());
    BOOST_TEST(!is_interactive(e));
    e.text =
        "a\xEF\xBF\xBC"
        "b";
    BOOST_TEST(visible_text(e) == "ab");
}

BOOST_AUTO_TEST_CASE(filter_relinks_parents_and_keeps_ids) {
    Tree t = sample_tree();
    t.truncated = true;
    t.truncated_reason = "time";
    const Tree f = filter_tree(t, TreeFilter::Interactive);
    BOOST_REQUIRE_EQUAL(f.elements.size(), 4u);
    BOOST_TEST(f.elements[0].id == 2);
    BOOST_TEST(f.elements[0].parent == -1);  // frame was dropped, and so was the application
    BOOST_TEST(f.truncated);
    BOOST_TEST(f.truncated_reason == "time");
    BOOST_TEST(filter_tree(f, TreeFilter::Interactive).elements.size() == 4u);  // idempotent
}

BOOST_AUTO_TEST_CASE(parse_filter_names) {
    BOOST_TEST((parse_filter("all") == TreeFilter::All));
    BOOST_TEST((parse_filter("interactive") == TreeFilter::Interactive));
    BOOST_CHECK_EXCEPTION(parse_filter("visible"), deskbox::Error, [](const deskbox::Error& e) {
        return std::string(e.what()) == "unknown tree filter 'visible' (expected all or interactive)";
    });
}

BOOST_AUTO_TEST_SUITE_END()
