#define BOOST_TEST_MODULE deskbox mcp unit tests
#include <boost/test/unit_test.hpp>
