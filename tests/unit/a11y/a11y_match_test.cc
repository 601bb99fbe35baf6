#include "xsession/a11y/a11y_match.h"

#include <boost/test/unit_test.hpp>

#include "tests/unit/a11y/sample_tree.h"

using namespace deskbox::a11y;
using namespace deskbox::a11y::testing;
using deskbox::ElementTarget;
using deskbox::Rect;

BOOST_AUTO_TEST_SUITE(a11y_match)

BOOST_AUTO_TEST_CASE(exact_role_and_name_finds_visible_only) {
    const auto m = find_matches(sample_tree(), ElementTarget{"push button", "Hidden", false, "", ""});
    BOOST_TEST(m.empty());
    const auto slider = find_matches(sample_tree(), ElementTarget{"slider", "Volume", false, "", ""});
    BOOST_REQUIRE_EQUAL(slider.size(), 1u);
    BOOST_TEST(slider[0].id == 6);
}

BOOST_AUTO_TEST_CASE(role_spelling_is_forgiving) {
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"push-button", "OK", false, "", ""}).size() == 2u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"Push Button", "OK", false, "", ""}).size() == 2u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"button", "OK", false, "", ""}).empty());
}

BOOST_AUTO_TEST_CASE(regex_name_and_app_window_filters) {
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"", "^(OK|Vol)", true, "", ""}).size() == 3u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"slider", "", false, "demo", "Demo Window"}).size() == 1u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"slider", "", false, "other", ""}).empty());
}

namespace {

std::string error_of(const ElementTarget& target) {
    try {
        TargetMatcher m(target);
    } catch (const deskbox::Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(bad_regex_is_an_error_naming_field_pattern_and_reason) {
    BOOST_TEST(error_of(ElementTarget{"", "(", true, "", ""}) ==
               "field 'name': invalid regular expression '(': missing ): (");
    BOOST_TEST(error_of(ElementTarget{"", "", true, "", std::string(300, 'a')}) ==
               "field 'window': regular expression longer than 256 bytes");
    // What RE2 leaves out on purpose (it would cost more than linear time).
    BOOST_TEST(error_of(ElementTarget{"(a)\\1", "", true, "", ""}) ==
               "field 'role': invalid regular expression '(a)\\1': invalid escape sequence: \\1");
    BOOST_TEST(error_of(ElementTarget{"", "", true, "(?=x)", ""}) ==
               "field 'app': invalid regular expression '(?=x)': invalid perl operator: (?=");
    BOOST_TEST(error_of(ElementTarget{"", "((a{100}){100}){100}", true, "", ""}) ==
               "field 'name': invalid regular expression '((a{100}){100}){100}': invalid repetition size: {100}");
    // Without `regex` the same text is a literal name.
    BOOST_TEST(error_of(ElementTarget{"", "(", false, "", ""}) == "(no error)");
}

BOOST_AUTO_TEST_CASE(regex_ignores_case_with_the_flag_only) {
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"", "(?i)^ok$", true, "", ""}).size() == 2u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"", "^ok$", true, "", ""}).empty());
    BOOST_TEST(
        find_matches(sample_tree(), ElementTarget{"(?i)^SLIDER$", "", true, "(?i)DEMO", "(?i)demo window"}).size() ==
        1u);
    // Searched anywhere unless anchored.
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"", "olum", true, "", ""}).size() == 1u);
    BOOST_TEST(find_matches(sample_tree(), ElementTarget{"", "^olum", true, "", ""}).empty());
}

BOOST_AUTO_TEST_CASE(an_app_chosen_name_cannot_make_matching_slow) {
    // A backtracking engine takes exponential time (or overflows its stack)
    // on this pattern over this name; RE2 is linear in the name.
    Element e = sample_tree().elements[2];
    e.name = std::string(100'000, 'x');
    BOOST_TEST(!TargetMatcher(ElementTarget{"", "(x+x+)+y", true, "", ""}).matches(e));
    BOOST_TEST(TargetMatcher(ElementTarget{"", "^(x+x+)+$", true, "", ""}).matches(e));
}

BOOST_AUTO_TEST_CASE(two_matches_are_refused_with_count_and_boxes) {
    const ElementTarget target{"push button", "OK", false, "", ""};
    const auto m = find_matches(sample_tree(), target);
    try {
        resolve_one(m, false, "", target);
        BOOST_FAIL("resolved an ambiguous target");
    } catch (const GroundingError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "expected one target, found 2 for role \"push button\", name \"OK\": "
                   "push button \"OK\" at (10, 20, 80x30) in demo; push button \"OK\" at (300, 20, 80x30) in demo");
        BOOST_TEST(e.candidates().size() == 2u);
    }
}

BOOST_AUTO_TEST_CASE(zero_matches_are_refused) {
    const ElementTarget target{"push button", "Cancel", false, "", ""};
    BOOST_CHECK_EXCEPTION(resolve_one({}, false, "", target), GroundingError, [](const GroundingError& e) {
        return std::string(e.what()) == "expected one target, found 0 for role \"push button\", name \"Cancel\"";
    });
}

BOOST_AUTO_TEST_CASE(one_match_in_a_truncated_search_is_refused) {
    const ElementTarget target{"slider", "Volume", false, "", ""};
    const auto m = find_matches(sample_tree(), target);
    BOOST_CHECK_EXCEPTION(resolve_one(m, true, "max_nodes", target), GroundingError, [](const GroundingError& e) {
        return std::string(e.what()).starts_with(
            "expected one target, found 1 for role \"slider\", name \"Volume\" (the search was truncated: max_nodes;");
    });
    BOOST_TEST(resolve_one(m, false, "", target).id == 6);
}

BOOST_AUTO_TEST_SUITE_END()
