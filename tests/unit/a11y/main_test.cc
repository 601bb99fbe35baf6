#define BOOST_TEST_MODULE deskbox a11y unit tests
#include <boost/test/unit_test.hpp>
