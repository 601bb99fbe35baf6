#define BOOST_TEST_MODULE display integration
#include <boost/test/unit_test.hpp>
