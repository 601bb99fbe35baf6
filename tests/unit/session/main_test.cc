#define BOOST_TEST_MODULE deskbox session unit tests
#include <boost/test/unit_test.hpp>
