#define BOOST_TEST_MODULE deskbox host pattern unit tests
#include <boost/test/unit_test.hpp>
