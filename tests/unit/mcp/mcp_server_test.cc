// JSON-RPC handling: version negotiation, errors for malformed messages, and
// tool calls reaching the backend with the agent's name (progress while a
// reviewer decides).
#include <boost/test/unit_test.hpp>

#include "tests/unit/mcp/fake_backend.h"

namespace deskbox::mcp {
namespace {

struct Fixture {
    test::FakeBackend backend;
    McpServer server{backend};
    McpSession session{"ci-bot", ""};
    std::vector<Json> notes;

    Json ask(const std::string& text) {
        auto reply = server.handle_text(session, text, [this](const Json& n) { notes.push_back(n); });
        return reply ? *reply : Json("no reply");
    }
    void initialize(const char* version = "2025-11-25") {
        ask(std::string(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")") + version +
            R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    }
};

BOOST_AUTO_TEST_CASE(initialize_negotiates_the_clients_version_or_offers_ours) {
    Fixture f;
    const Json r = f.ask(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
    BOOST_TEST(r["id"] == 1);
    BOOST_TEST(r["result"]["protocolVersion"] == "2025-06-18");
    BOOST_TEST(r["result"]["capabilities"].dump() == R"({"tools":{"listChanged":false}})");
    BOOST_TEST(r["result"]["serverInfo"]["name"] == "deskbox");
    Fixture g;
    BOOST_TEST(g.ask(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01"}})")
                   ["result"]["protocolVersion"] == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(malformed_messages_get_json_rpc_errors) {
    Fixture f;
    BOOST_TEST(
        f.ask("{nope").dump() ==
        R"({"error":{"code":-32700,"message":"Parse error: the message is not valid JSON"},"id":null,"jsonrpc":"2.0"})");
    BOOST_TEST(f.ask(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])")["error"]["message"] ==
               "Invalid Request: JSON-RPC batches are not supported");
    BOOST_TEST(f.ask(R"({"id":1,"method":"ping"})")["error"]["code"] == kInvalidRequest);
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})")["error"]["message"] ==
               "Invalid Request: 'id' must be a string or an integer");
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})")["error"]["message"] ==
               "Invalid Request: send 'initialize' first");
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":3,"method":"ping"})")["result"].dump() == "{}");  // ping always works
    f.initialize();
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":4,"method":"resources/list"})")["error"].dump() ==
               R"({"code":-32601,"message":"Method not found: resources/list"})");
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"fly"}})")["error"].dump() ==
               R"({"code":-32602,"message":"Unknown tool: fly"})");
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":[]})")["error"]["code"] ==
               kInvalidParams);
    BOOST_TEST(f.ask(R"({"jsonrpc":"2.0","method":"notifications/initialized"})") == "no reply");
    BOOST_TEST(f.backend.calls.empty());
}

BOOST_AUTO_TEST_CASE(a_tool_call_is_one_agent_request_under_the_agents_name) {
    Fixture f;
    f.initialize();
    f.backend.replies.push_back(
        Json::parse(R"({"ok":true,"tool_result":{"content":[{"type":"text","text":"left_click done"}]}})"));
    const Json r = f.ask(
        R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"click","arguments":{"x":3,"y":4}}})");
    BOOST_TEST(r["result"]["content"][0]["text"] == "left_click done");
    BOOST_TEST(r["result"]["isError"] == false);
    BOOST_REQUIRE_EQUAL(f.backend.calls.size(), 1u);
    BOOST_TEST(f.backend.calls[0].first == "ci-bot");
    BOOST_TEST(f.backend.calls[0].second["action"] == "left_click");
    // Bad arguments: a tool error the model can read; nothing is sent.
    const Json bad =
        f.ask(R"({"jsonrpc":"2.0","id":"c2","method":"tools/call","params":{"name":"click","arguments":{"x":3}}})");
    BOOST_TEST(bad["result"]["isError"] == true);
    BOOST_TEST(bad["result"]["content"][0]["text"] == "missing argument 'y' of click");
    BOOST_TEST(f.backend.calls.size() == 1u);
    BOOST_TEST(f.notes.empty());
}

BOOST_AUTO_TEST_CASE(a_pending_approval_reports_progress_when_asked) {
    Fixture f;
    f.initialize();
    f.backend.pending = Json::parse(R"({"pending":true,"approval_id":"A3","rule":"ask-first"})");
    f.ask(
        R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"type","arguments":{"text":"x"},"_meta":{"progressToken":"p7"}}})");
    BOOST_REQUIRE_EQUAL(f.notes.size(), 2u);  // the pending line, then one wait tick
    BOOST_TEST(
        f.notes[0].dump() ==
        R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"message":"waiting for a reviewer: approval A3, rule 'ask-first'","progress":1,"progressToken":"p7"}})");
    BOOST_TEST(f.notes[1]["params"]["progress"] == 2);
    f.notes.clear();
    f.ask(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"type","arguments":{"text":"x"}}})");
    BOOST_TEST(f.notes.empty());  // no progressToken, no notifications
}

}  // namespace
}  // namespace deskbox::mcp
