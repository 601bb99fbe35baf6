#define BOOST_TEST_MODULE deskbox a11y integration tests
#include <boost/test/unit_test.hpp>
