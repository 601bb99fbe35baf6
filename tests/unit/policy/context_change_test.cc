#include "policy/context_change.h"

#include <boost/test/unit_test.hpp>

using namespace deskbox;

namespace {

GateContext on_button(std::uint8_t shade) {
    GateContext c;
    c.window = FocusedWindow{"Chromium", "Incident INC-7", "chromium", 0x400005, 10, "browser"};
    c.target = TargetElement{"push button", "Update incident", Rect{100, 200, 80, 24}, {}};
    c.domain = "ops.incidents.example";
    PixelPatch p;
    p.area = Rect{124, 196, 32, 32};
    p.rgb.assign(32 * 32 * 3, shade);
    c.pixels = p;
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(context_change)

BOOST_AUTO_TEST_CASE(the_same_screen_is_unchanged) {
    BOOST_TEST(context_changes(on_button(200), on_button(200)).empty());
}

BOOST_AUTO_TEST_CASE(small_jitter_is_tolerated) {
    GateContext now = on_button(210);  // every pixel moved by 10: under the channel tolerance
    now.target->box->x += 2;
    now.pixels->rgb[0] = 0;  // one pixel of 1024 changed for real (a caret)
    BOOST_TEST(context_changes(on_button(200), now).empty());
}

BOOST_AUTO_TEST_CASE(a_swapped_button_is_a_change) {
    GateContext now = on_button(200);
    now.target->name = "Close incident";
    const auto changes = context_changes(on_button(200), now);
    BOOST_REQUIRE(changes.size() == 1u);
    BOOST_TEST(changes[0] ==
               "target: [push button] \"Update incident\" at 100,200 80x24 is now [push button] "
               "\"Close incident\" at 100,200 80x24");
}

BOOST_AUTO_TEST_CASE(repainted_pixels_are_a_change) {
    const auto changes = context_changes(on_button(200), on_button(20));
    BOOST_REQUIRE(changes.size() == 1u);
    BOOST_TEST(changes[0] == "pixels: 100% of the region around the point changed");
}

BOOST_AUTO_TEST_CASE(another_window_or_domain_is_a_change) {
    GateContext now = on_button(200);
    now.window->id = 0x600003;
    now.window->window_class = "XTerm";
    now.domain = "status.other.example";
    const auto changes = context_changes(on_button(200), now);
    BOOST_REQUIRE(changes.size() == 2u);
    BOOST_TEST(changes[0].rfind("window: 'Chromium' \"Incident INC-7\" (0x400005) is now 'XTerm'", 0) == 0u,
               changes[0]);
    BOOST_TEST(changes[1] == "domain: 'ops.incidents.example' is now 'status.other.example'");
}

BOOST_AUTO_TEST_CASE(what_cannot_be_read_again_is_a_change) {
    GateContext now = on_button(200);
    now.unreadable["target"] = "a11y helper: no reply within 4000 ms";
    const auto changes = context_changes(on_button(200), now);
    BOOST_REQUIRE(!changes.empty());
    BOOST_TEST(changes[0] == "target: could not be read again (a11y helper: no reply within 4000 ms)");
}

BOOST_AUTO_TEST_SUITE_END()
