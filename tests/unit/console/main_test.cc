#define BOOST_TEST_MODULE deskbox console unit tests
#include <boost/test/unit_test.hpp>
