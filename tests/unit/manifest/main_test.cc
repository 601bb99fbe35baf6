#define BOOST_TEST_MODULE deskbox manifest unit tests
#include <boost/test/unit_test.hpp>
