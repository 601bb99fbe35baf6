// RequestOrder: a connection's requests wait while an earlier one of it is
// held at the gate, run in order on release, and never hold other connections.
#include "supervisor/control/request_order.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

namespace deskbox {

BOOST_AUTO_TEST_SUITE(request_order)

BOOST_AUTO_TEST_CASE(a_free_connection_runs_at_once) {
    RequestOrder order;
    std::vector<std::string> ran;
    order.submit(1, [&] { ran.push_back("a"); });
    BOOST_TEST(ran == std::vector<std::string>{"a"});
    BOOST_TEST(!order.held(1));
}

BOOST_AUTO_TEST_CASE(held_requests_run_in_order_on_release) {
    RequestOrder order;
    std::vector<std::string> ran;
    order.hold(1);
    order.submit(1, [&] { ran.push_back("b"); });
    order.submit(1, [&] { ran.push_back("c"); });
    order.submit(2, [&] { ran.push_back("other"); });  // another connection is not held
    BOOST_TEST(ran == std::vector<std::string>{"other"});
    BOOST_TEST(order.waiting(1) == 2u);
    order.release(1);
    BOOST_TEST((ran == std::vector<std::string>{"other", "b", "c"}));
    BOOST_TEST(order.waiting(1) == 0u);
}

BOOST_AUTO_TEST_CASE(a_waiting_request_that_parks_again_stops_the_rest) {
    RequestOrder order;
    std::vector<std::string> ran;
    order.hold(1);
    order.submit(1, [&] {
        ran.push_back("b");
        order.hold(1);  // b's proposal parks too
    });
    order.submit(1, [&] { ran.push_back("c"); });
    order.release(1);
    BOOST_TEST(ran == std::vector<std::string>{"b"});
    order.submit(1, [&] { ran.push_back("d"); });  // behind c, not before it
    order.release(1);
    BOOST_TEST((ran == std::vector<std::string>{"b", "c", "d"}));
}

BOOST_AUTO_TEST_CASE(a_request_answered_inside_the_drain_keeps_the_order) {
    RequestOrder order;
    std::vector<std::string> ran;
    order.hold(1);
    order.submit(1, [&] {
        order.hold(1);
        ran.push_back("b");
        order.release(1);  // the gate answered at once
    });
    order.submit(1, [&] { ran.push_back("c"); });
    order.release(1);
    BOOST_TEST((ran == std::vector<std::string>{"b", "c"}));
    BOOST_TEST(!order.held(1));
}

BOOST_AUTO_TEST_CASE(nested_holds_need_every_release_and_forget_drops_the_waiting) {
    RequestOrder order;
    std::vector<std::string> ran;
    order.hold(1);
    order.hold(1);
    order.submit(1, [&] { ran.push_back("b"); });
    order.release(1);
    BOOST_TEST(ran.empty());
    order.forget(1);
    order.release(1);  // after forget: nothing to release, nothing runs
    BOOST_TEST(ran.empty());
    BOOST_TEST(order.waiting(1) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace deskbox
