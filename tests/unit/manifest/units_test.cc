#include "supervisor/base/units.h"

#include <boost/test/unit_test.hpp>

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(units)

BOOST_AUTO_TEST_CASE(sizes) {
    BOOST_TEST(*parse_size("512M") == 512ull << 20);
    BOOST_TEST(*parse_size("2G") == 2ull << 30);
    BOOST_TEST(*parse_size("64k") == 64ull << 10);
    BOOST_TEST(*parse_size("4096") == 4096u);
    BOOST_TEST(*parse_size("1.5G") == (3ull << 30) / 2);
    BOOST_TEST(!parse_size(""));
    BOOST_TEST(!parse_size("lots"));
    BOOST_TEST(!parse_size("-1M"));
    BOOST_TEST(!parse_size("12Q"));
    BOOST_TEST(!parse_size("1.5"));
    BOOST_TEST(!parse_size("99999999999T"));
    BOOST_TEST(format_size(512ull << 20) == "512M");
    BOOST_TEST(format_size(1000) == "1000");
}

BOOST_AUTO_TEST_CASE(durations) {
    BOOST_TEST(parse_duration("90s")->count() == 90'000);
    BOOST_TEST(parse_duration("15m")->count() == 900'000);
    BOOST_TEST(parse_duration("250ms")->count() == 250);
    BOOST_TEST(parse_duration("2h")->count() == 7'200'000);
    BOOST_TEST(parse_duration("1.5s")->count() == 1500);
    BOOST_TEST(parse_duration("30")->count() == 30'000);
    BOOST_TEST(!parse_duration("soon"));
    BOOST_TEST(!parse_duration("5 m"));
    BOOST_TEST(!parse_duration("m"));
    BOOST_TEST(format_duration(Millis(900'000)) == "15m");
    BOOST_TEST(format_duration(Millis(1500)) == "1500ms");
}

BOOST_AUTO_TEST_SUITE_END()
