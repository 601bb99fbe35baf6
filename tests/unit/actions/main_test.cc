#define BOOST_TEST_MODULE deskbox actions unit tests
#include <boost/test/unit_test.hpp>
