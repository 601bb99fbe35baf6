#include "xsession/a11y/set_of_marks.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/unit/a11y/sample_tree.h"

using namespace deskbox::a11y;
using namespace deskbox::a11y::testing;
using deskbox::Rect;

namespace {

std::array<int, 3> pixel(const RgbImage& img, int x, int y) {
    const auto* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
    return {p[0], p[1], p[2]};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(set_of_marks)

BOOST_AUTO_TEST_CASE(draws_numbered_boxes_over_interactive_elements) {
    RgbImage img{640, 480, std::vector<std::uint8_t>(640 * 480 * 3, 200)};
    const auto marks = draw_set_of_marks(img, sample_tree(), ScaleFactors{});
    BOOST_REQUIRE_EQUAL(marks.size(), 4u);
    BOOST_TEST(marks[0].index == 1);
    BOOST_TEST(marks[0].element.name == "OK");
    BOOST_TEST((marks[0].box == deskbox::Rect{10, 20, 80, 30}));
    // Top edge of the first box is red, its inside untouched.
    BOOST_TEST((pixel(img, 50, 20) == std::array<int, 3>{255, 0, 0}));
    BOOST_TEST((pixel(img, 50, 30) == std::array<int, 3>{200, 200, 200}));
    // The label sits at the bottom left, inside a black patch.
    BOOST_TEST((pixel(img, 10, 49) == std::array<int, 3>{0, 0, 0}));
    BOOST_TEST(marks_table(marks).starts_with("index\ttag\tname\ttext\n1\tpush-button\tOK\t\"\"\n2\ttext\t\t"));
}

BOOST_AUTO_TEST_CASE(boxes_are_scaled_and_clipped) {
    RgbImage img{200, 100, std::vector<std::uint8_t>(200 * 100 * 3, 0)};
    const auto marks = draw_set_of_marks(img, sample_tree(), ScaleFactors{0.5, 0.5});
    BOOST_REQUIRE(!marks.empty());
    BOOST_TEST((marks[0].box == deskbox::Rect{5, 10, 40, 15}));
    BOOST_TEST(marks.back().box.x + marks.back().box.width <= 200);
}

BOOST_AUTO_TEST_CASE(wrong_buffer_size_is_an_error) {
    RgbImage img{10, 10, std::vector<std::uint8_t>(10)};
    BOOST_CHECK_THROW(draw_set_of_marks(img, sample_tree(), ScaleFactors{}), deskbox::Error);
}

BOOST_AUTO_TEST_SUITE_END()
