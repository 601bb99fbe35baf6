#define BOOST_TEST_MODULE deskbox sandbox and session unit tests
#include <boost/test/unit_test.hpp>
