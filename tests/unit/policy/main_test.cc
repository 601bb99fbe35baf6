#define BOOST_TEST_MODULE deskbox policy unit tests
#include <boost/test/unit_test.hpp>
