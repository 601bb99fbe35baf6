#define BOOST_TEST_MODULE deskbox audit unit tests
#include <boost/test/unit_test.hpp>
