#define BOOST_TEST_MODULE deskbox proxy integration tests
#include <boost/test/unit_test.hpp>
