// Parsing agent requests in unit tests: in a 1280x800 agent space, one step
// expected, or an exact ProtocolError (code and message word for word).
#pragma once

#include <boost/test/unit_test.hpp>
#include <string>

#include "supervisor/control/agent_request.h"
#include "tests/unit/control/printers.h"

namespace deskbox::test {

inline const CoordinateSpace kSpace{1280, 800};

inline AgentRequest parse(const Json& request) {
    return parse_agent_request(request, kSpace);
}
inline AgentRequest parse(const char* text) {
    return parse(Json::parse(text));
}

inline const Action& only(const AgentRequest& r) {
    BOOST_REQUIRE_EQUAL(r.steps.size(), 1u);
    return r.steps[0];
}

// Parses `request`, expecting a ProtocolError with `code` and `message`.
inline void expect_parse_error(const Json& request, const std::string& code, const std::string& message) {
    try {
        parse(request);
        BOOST_ERROR("no error for " << request.dump());
    } catch (const ProtocolError& e) {
        BOOST_TEST(e.code() == code, request.dump());
        BOOST_TEST(std::string(e.what()) == message, request.dump());
    }
}

inline void expect_error(const char* text, const std::string& code, const std::string& message) {
    expect_parse_error(Json::parse(text), code, message);
}

}  // namespace deskbox::test
