#define BOOST_TEST_MODULE deskbox proxy unit tests
#include <boost/test/unit_test.hpp>
