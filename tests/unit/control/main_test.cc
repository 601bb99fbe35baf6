#define BOOST_TEST_MODULE deskbox control unit tests
#include <boost/test/unit_test.hpp>
