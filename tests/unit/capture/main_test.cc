#define BOOST_TEST_MODULE capture
#include <boost/test/unit_test.hpp>
