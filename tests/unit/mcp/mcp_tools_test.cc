// The tool table and its mapping to agent-protocol requests and back.
#include "supervisor/mcp/mcp_tools.h"

#include <boost/test/unit_test.hpp>

namespace deskbox::mcp {
namespace {

Json request(const char* tool, const char* arguments) {
    return agent_request_for(tool, Json::parse(arguments));
}

std::string argument_error(const char* tool, const char* arguments) {
    try {
        request(tool, arguments);
    } catch (const ToolArgumentError& e) {
        return e.what();
    }
    return "no error";
}

BOOST_AUTO_TEST_CASE(every_tool_is_listed_with_a_closed_object_schema) {
    const Json tools = tool_list();
    std::vector<std::string> names;
    for (const Json& t : tools) {
        names.push_back(t["name"]);
        BOOST_TEST(t["inputSchema"]["type"] == "object");
        BOOST_TEST(t["inputSchema"]["additionalProperties"] == false);
        BOOST_TEST(!t["description"].get<std::string>().empty());
    }
    const std::vector<std::string> expected = {"screenshot",    "zoom",      "click",           "type",  "key",
                                               "scroll",        "drag",      "mouse_move",      "wait",  "tree",
                                               "click_element", "type_into", "cursor_position", "status"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());
    const Json& click = tools[2]["inputSchema"];
    BOOST_TEST(click["required"].dump() == R"(["x","y"])");
    BOOST_TEST(click["properties"]["button"]["enum"].dump() == R"(["left","right","middle"])");
    BOOST_TEST(click["properties"]["count"]["maximum"] == 3);
    BOOST_TEST(tools[11]["inputSchema"]["required"].dump() == R"(["text"])");  // type_into
}

BOOST_AUTO_TEST_CASE(pointer_and_keyboard_tools_become_anthropic_actions) {
    BOOST_TEST(request("click", R"({"x":10,"y":20})").dump() ==
               R"({"action":"left_click","coordinate":[10,20],"dialect":"anthropic"})");
    BOOST_TEST(request("click", R"({"x":10,"y":20,"button":"right"})")["action"] == "right_click");
    BOOST_TEST(request("click", R"({"x":1,"y":2,"count":2,"modifiers":"shift"})").dump() ==
               R"({"action":"double_click","coordinate":[1,2],"dialect":"anthropic","text":"shift"})");
    BOOST_TEST(request("click", R"({"x":1,"y":2,"count":3})")["action"] == "triple_click");
    BOOST_TEST(request("type", R"({"text":"héllo"})").dump() ==
               R"({"action":"type","dialect":"anthropic","text":"héllo"})");
    BOOST_TEST(request("key", R"({"keys":"ctrl+s","repeat":2})").dump() ==
               R"({"action":"key","dialect":"anthropic","repeat":2,"text":"ctrl+s"})");
    BOOST_TEST(request("scroll", R"({"direction":"down"})").dump() ==
               R"({"action":"scroll","dialect":"anthropic","scroll_amount":3,"scroll_direction":"down"})");
    BOOST_TEST(request("scroll", R"({"direction":"left","amount":1,"x":5,"y":6})")["coordinate"].dump() == "[5,6]");
    BOOST_TEST(request("drag", R"({"from_x":1,"from_y":2,"to_x":3,"to_y":4})").dump() ==
               R"({"action":"left_click_drag","coordinate":[3,4],"dialect":"anthropic","start_coordinate":[1,2]})");
    BOOST_TEST(request("mouse_move", R"({"x":7,"y":8})")["coordinate"].dump() == "[7,8]");
    BOOST_TEST(request("wait", R"({"seconds":0.5})").dump() ==
               R"({"action":"wait","dialect":"anthropic","duration":0.5})");
    BOOST_TEST(request("zoom", R"({"region":[0,0,100,50]})").dump() ==
               R"({"action":"zoom","dialect":"anthropic","region":[0,0,100,50]})");
    BOOST_TEST(request("cursor_position", "{}").dump() == R"({"action":"cursor_position","dialect":"anthropic"})");
    BOOST_TEST(request("status", "{}").dump() == R"({"action":"status"})");
}

BOOST_AUTO_TEST_CASE(observations_and_elements_become_deskbox_actions) {
    BOOST_TEST(request("screenshot", "{}").dump() == R"({"action":"screenshot","dialect":"deskbox"})");
    BOOST_TEST(request("screenshot", R"({"format":"jpeg","settle":true})").dump() ==
               R"({"action":"screenshot","dialect":"deskbox","format":"jpeg","settle":true})");
    BOOST_TEST(request("click_element", R"({"role":"push button","name":"Save"})").dump() ==
               R"({"action":"click_element","dialect":"deskbox","name":"Save","role":"push button"})");
    BOOST_TEST(request("type_into", R"({"name":"Search","text":"x","regex":true})").dump() ==
               R"({"action":"type_into","dialect":"deskbox","name":"Search","regex":true,"text":"x"})");
    BOOST_TEST(request("tree", R"({"format":"linearized","interactive_only":true})").dump() ==
               R"({"action":"tree","dialect":"deskbox","format":"linearized","interactive_only":true})");
}

BOOST_AUTO_TEST_CASE(arguments_outside_the_schema_are_named) {
    BOOST_TEST(argument_error("click", R"({"x":1})") == "missing argument 'y' of click");
    BOOST_TEST(argument_error("click", R"({"x":1.5,"y":2})") ==
               "argument 'x' of click must be an integer, got a number");
    BOOST_TEST(argument_error("click", R"({"x":1,"y":2,"z":3})") == "unknown argument 'z' of click");
    BOOST_TEST(argument_error("click", R"({"x":1,"y":2,"count":4})") == "argument 'count' of click is 4, outside 1..3");
    BOOST_TEST(argument_error("click", R"({"x":1,"y":2,"button":"side"})") ==
               R"(argument 'button' of click must be one of left, right, middle, got "side")");
    BOOST_TEST(argument_error("click", R"({"x":1,"y":2,"button":"right","count":2})") ==
               "click: a double or triple click is left-button only (button is 'right')");
    BOOST_TEST(argument_error("zoom", R"({"region":[0,0,1]})") ==
               "argument 'region' of zoom must be an array of 4 integers, got an array");
    BOOST_TEST(argument_error("scroll", R"({"direction":"up","x":1})") == "scroll: give both x and y, or neither");
    BOOST_TEST(argument_error("wait", R"({"seconds":301})") == "argument 'seconds' of wait is 301, outside 0..300");
    BOOST_TEST(argument_error("type", R"([])") == "the arguments of type must be an object");
    BOOST_TEST(argument_error("fly", R"({})") == "unknown tool 'fly'");
}

BOOST_AUTO_TEST_CASE(replies_become_mcp_content) {
    // deskbox screenshot: image content (base64 as is) and its size.
    const Json shot = tool_result_from(
        "screenshot",
        Json::parse(R"({"ok":true,"result":{"image":{"mime":"image/png","width":8,"height":6,"data":"iVBORw0K"}}})"));
    BOOST_TEST(
        shot.dump() ==
        R"({"content":[{"data":"iVBORw0K","mimeType":"image/png","type":"image"},{"text":"screenshot 8x6","type":"text"}],"isError":false})");
    // Anthropic tool_result content: text and image blocks.
    const Json zoom = tool_result_from("zoom", Json::parse(R"({"ok":true,"tool_result":{"type":"tool_result","content":[
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}})"));
    BOOST_TEST(zoom["content"].dump() == R"([{"data":"AAAA","mimeType":"image/png","type":"image"}])");
    const Json click = tool_result_from(
        "click", Json::parse(R"({"ok":true,"tool_result":{"content":[{"type":"text","text":"left_click done"}]}})"));
    BOOST_TEST(click.dump() == R"({"content":[{"text":"left_click done","type":"text"}],"isError":false})");
    const Json tree = tool_result_from("tree", Json::parse(R"({"ok":true,"result":{"data":"role\tname\n"}})"));
    BOOST_TEST(tree["content"][0]["text"] == "role\tname\n");
    const Json status = tool_result_from("status", Json::parse(R"({"ok":true,"status":{"state":"running"}})"));
    BOOST_TEST(Json::parse(status["content"][0]["text"].get<std::string>())["state"] == "running");
}

BOOST_AUTO_TEST_CASE(refusals_and_failures_are_tool_errors) {
    const Json refused = tool_result_from("click", Json::parse(R"({"ok":false,"error":{"code":"refused",
        "message":"refused by policy rule 'no-corner': the corner is off limits","rule":"no-corner"}})"));
    BOOST_TEST(refused["isError"] == true);
    BOOST_TEST(refused["content"][0]["text"] == "refused by policy rule 'no-corner': the corner is off limits");
    BOOST_TEST(refused["structuredContent"]["rule"] == "no-corner");
    const Json failed = tool_result_from(
        "click", Json::parse(R"({"ok":false,"error":{"code":"out_of_range","message":"x 5000 is outside 0..1023"}})"));
    BOOST_TEST(failed["isError"] == true);
    BOOST_TEST(failed["content"][0]["text"] == "out_of_range: x 5000 is outside 0..1023");
}

}  // namespace
}  // namespace deskbox::mcp
