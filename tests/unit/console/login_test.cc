#include <boost/test/unit_test.hpp>

#include "supervisor/console/login_sessions.h"
#include "supervisor/console/rate_limiter.h"

using namespace deskbox::console;

BOOST_AUTO_TEST_SUITE(login)

BOOST_AUTO_TEST_CASE(logins_have_random_ids_and_expire) {
    LoginSessions logins(std::chrono::seconds(100));
    const Login a = logins.create("alice", "tok-a", 1000);
    const Login b = logins.create("bob", "tok-b", 1000);
    BOOST_TEST(a.id.size() == 43u);  // 256 bits, base64url
    BOOST_TEST(a.id != b.id);
    BOOST_TEST(a.csrf != a.id);
    BOOST_TEST(a.expires_s == 1100);
    BOOST_TEST(logins.find(a.id, 1099).value().reviewer == "alice");
    BOOST_TEST(!logins.find(a.id, 1100).has_value());  // expired: forgotten
    BOOST_TEST(!logins.find("made-up", 1000).has_value());
    logins.remove(b.id);
    BOOST_TEST(!logins.find(b.id, 1000).has_value());
    // Creating logins later drops the expired ones.
    logins.create("carol", "tok-c", 5000);
    BOOST_TEST(logins.size() == 1u);
}

BOOST_AUTO_TEST_CASE(secrets_compare_whole) {
    BOOST_TEST(equal_secrets("abc", "abc"));
    BOOST_TEST(!equal_secrets("abc", "abd"));
    BOOST_TEST(!equal_secrets("abc", "ab"));
    BOOST_TEST(!equal_secrets("", "x"));
}

BOOST_AUTO_TEST_CASE(login_attempts_are_limited_per_client_and_overall) {
    RateLimiter limiter(RateLimits{3, 5, 1000});
    for (int i = 0; i < 3; ++i) BOOST_TEST(limiter.allow("10.0.0.1", 100 + i));
    BOOST_TEST(!limiter.allow("10.0.0.1", 200));
    BOOST_TEST(limiter.retry_after_ms("10.0.0.1", 200) == 900);
    BOOST_TEST(limiter.allow("10.0.0.2", 200));
    BOOST_TEST(limiter.allow("10.0.0.2", 201));
    // Five in the window in all: a third client is refused too.
    BOOST_TEST(!limiter.allow("10.0.0.3", 202));
    // Once the window passed, the first client may try again.
    BOOST_TEST(limiter.allow("10.0.0.1", 1101));
    BOOST_TEST(limiter.retry_after_ms("10.0.0.4", 1101) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
