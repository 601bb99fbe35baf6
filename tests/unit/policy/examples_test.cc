#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>

#include "policy/policy_parser.h"

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(examples)

// Every shipped example policy parses (they are documentation that must not rot).
BOOST_AUTO_TEST_CASE(every_example_policy_parses) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    int parsed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(root) / "policy/examples")) {
        if (entry.path().extension() != ".yaml") continue;
        BOOST_TEST_INFO(entry.path().string());
        BOOST_CHECK_NO_THROW(parse_policy_file(entry.path()));
        ++parsed;
    }
    BOOST_TEST(parsed >= 2);
}

BOOST_AUTO_TEST_SUITE_END()
