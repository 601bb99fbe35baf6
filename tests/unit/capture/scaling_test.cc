#include "xsession/capture/scaling.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(scaling)

BOOST_AUTO_TEST_CASE(scaled_pixel_centres_land_in_the_pixel_they_were_sampled_from) {
    // For several common provider sizes: mapping a scaled pixel to the screen and
    // back gives the same scaled pixel, everywhere on the screen.
    struct Size {
        int W, H, w, h;
    };
    for (const Size s : {Size{1280, 800, 1024, 640}, Size{1920, 1080, 1366, 768}, Size{1280, 800, 1280, 800},
                         Size{1000, 700, 333, 211}}) {
        const ScaleMap map(s.W, s.H, s.w, s.h);
        for (int x = 0; x < s.w; ++x) {
            const Point screen = map.to_screen({x, 0});
            BOOST_REQUIRE(screen.x >= 0 && screen.x < s.W);
            BOOST_REQUIRE_EQUAL(map.to_scaled(screen).x, x);
        }
        for (int y = 0; y < s.h; ++y) {
            const Point screen = map.to_screen({0, y});
            BOOST_REQUIRE(screen.y >= 0 && screen.y < s.H);
            BOOST_REQUIRE_EQUAL(map.to_scaled(screen).y, y);
        }
    }
}

BOOST_AUTO_TEST_CASE(known_values) {
    const ScaleMap map(1280, 800, 1024, 640);
    BOOST_TEST((map.to_screen({0, 0}) == Point{0, 0}));
    BOOST_TEST((map.to_screen({512, 320}) == Point{640, 400}));
    BOOST_TEST((map.to_screen({1023, 639}) == Point{1279, 799}));
    BOOST_TEST((map.to_screen({3, 5}) == Point{4, 6}));
    BOOST_TEST((map.to_scaled({1279, 799}) == Point{1023, 639}));
    BOOST_TEST((ScaleMap::identity(10, 10).to_screen({7, 3}) == Point{7, 3}));
}

BOOST_AUTO_TEST_CASE(out_of_range_coordinates_are_errors_naming_them) {
    const ScaleMap map(1280, 800, 1024, 640);
    for (const Point p : {Point{1024, 0}, Point{-1, 5}, Point{0, 640}}) {
        try {
            map.to_screen(p);
            BOOST_FAIL("accepted an outside coordinate");
        } catch (const Error& error) {
            BOOST_TEST(std::string(error.what()) == "coordinate (" + std::to_string(p.x) + ", " + std::to_string(p.y) +
                                                        ") is outside the screen (0...1023, 0...639)");
        }
    }
    BOOST_CHECK_THROW(ScaleMap(0, 10, 10, 10), Error);
}

BOOST_AUTO_TEST_CASE(regions_cover_the_screen_pixels_behind_them) {
    const ScaleMap map(1280, 800, 1024, 640);
    BOOST_TEST((map.region_to_screen(Rect{0, 0, 256, 80}) == Rect{0, 0, 320, 100}));
    BOOST_TEST((map.region_to_screen(Rect{1, 1, 1, 1}) == Rect{1, 1, 2, 2}));  // 1.25..2.5 rounded outward
    BOOST_TEST((map.region_to_screen(Rect{1000, 600, 100, 100}) == Rect{1250, 750, 30, 50}));  // clipped
    BOOST_CHECK_THROW(map.region_to_screen(Rect{0, 0, 0, 5}), Error);
    BOOST_CHECK_THROW(map.region_to_screen(Rect{2000, 0, 5, 5}), Error);
}

BOOST_AUTO_TEST_CASE(fit_keeps_the_aspect_ratio) {
    BOOST_TEST((fit_size(320, 100, 1024, 640) == Point{1024, 320}));
    BOOST_TEST((fit_size(100, 320, 1024, 640) == Point{200, 640}));
    BOOST_TEST((fit_size(1280, 800, 1024, 640) == Point{1024, 640}));
}

BOOST_AUTO_TEST_CASE(shrinking_averages_the_pixels_each_output_pixel_covers) {
    RgbImage image(4, 2);
    // Row 0: 0, 100, 200, 250 (grey); row 1: all 0.
    const int values[4] = {0, 100, 200, 250};
    for (int x = 0; x < 4; ++x) {
        for (int c = 0; c < 3; ++c) image.at(x, 0)[c] = static_cast<std::uint8_t>(values[x]);
    }
    const RgbImage half = resample(image, 2, 1);
    BOOST_TEST(int(half.at(0, 0)[0]) == 25);   // (0 + 100 + 0 + 0) / 4
    BOOST_TEST(int(half.at(1, 0)[0]) == 113);  // (200 + 250) / 4 = 112.5, rounded
    // A uniform image stays uniform at any size.
    RgbImage flat(1280, 800);
    std::fill(flat.pixels.begin(), flat.pixels.end(), 77);
    const RgbImage small = resample(flat, 1024, 640);
    BOOST_TEST(small.width == 1024);
    BOOST_TEST(std::all_of(small.pixels.begin(), small.pixels.end(), [](std::uint8_t v) { return v == 77; }));
}

BOOST_AUTO_TEST_CASE(growing_repeats_pixels_and_crop_copies_a_region) {
    RgbImage image(2, 1);
    image.at(1, 0)[0] = 200;
    const RgbImage big = resample(image, 4, 2);
    BOOST_TEST(int(big.at(0, 1)[0]) == 0);
    BOOST_TEST(int(big.at(1, 1)[0]) == 0);
    BOOST_TEST(int(big.at(2, 0)[0]) == 200);
    BOOST_TEST(int(big.at(3, 1)[0]) == 200);
    const RgbImage piece = crop(big, Rect{2, 1, 5, 5});
    BOOST_TEST(piece.width == 2);
    BOOST_TEST(piece.height == 1);
    BOOST_TEST(int(piece.at(0, 0)[0]) == 200);
    BOOST_CHECK_THROW(crop(big, Rect{10, 10, 2, 2}), Error);
}

BOOST_AUTO_TEST_SUITE_END()
