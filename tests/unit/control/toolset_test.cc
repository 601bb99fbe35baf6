// Anthropic's computer toolset (computer_toolset_20260801): every member
// block of tests/fixtures/protocol/anthropic_computer_toolset_20260801.jsonl
// (written from the SDKs' BetaComputer*ToolUseBlock types) normalizes field by
// field; the reply is the tool_result the next user message needs; a field
// outside a member's input type is an error naming its path. The OpenAI
// reply items are those of tests/fixtures/protocol/openai_computer_call_output.jsonl.
// Both fixture files type-check against the providers' TypeScript SDKs
// (tests/fixtures/protocol/typecheck/typecheck.sh).
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "supervisor/control/agent_replies.h"
#include "tests/unit/control/parse_helpers.h"

namespace deskbox {
namespace {

using test::expect_error;
using test::only;
using test::parse;
using Keys = std::vector<std::string>;

std::vector<Json> fixture_lines(const std::string& file) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE_MESSAGE(root, "DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    std::ifstream in(std::string(root) + "/tests/fixtures/protocol/" + file);
    BOOST_REQUIRE_MESSAGE(in, file);
    std::vector<Json> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(Json::parse(line));
    return lines;
}

std::map<std::string, Json> fixture_blocks() {
    std::map<std::string, Json> blocks;
    for (const Json& block : fixture_lines("anthropic_computer_toolset_20260801.jsonl"))
        blocks[block["id"].get<std::string>()] = block;
    return blocks;
}

BOOST_AUTO_TEST_CASE(every_member_of_the_fixture_normalizes) {
    auto blocks = fixture_blocks();
    BOOST_REQUIRE_EQUAL(blocks.size(), 20u);
    std::set<std::string> members;
    for (const auto& [id, block] : blocks) {
        const AgentRequest r = parse(block);
        BOOST_TEST(r.dialect == Dialect::Anthropic, id);
        BOOST_TEST(r.toolset_name == "computer", id);
        BOOST_TEST(r.tool_use_id == id);
        BOOST_TEST(r.action_name == block["name"].get<std::string>());
        BOOST_TEST(is_computer_toolset_member(r.action_name));
        members.insert(r.action_name);
    }
    BOOST_TEST(members.size() == 17u);  // all of BETA_COMPUTER_MEMBER_NAME_VALUES

    auto r = parse(blocks["toolu_01key"]);
    BOOST_TEST(only(r).kind == ActionKind::Key);
    BOOST_TEST(only(r).keys == (Keys{"Control_L", "s"}));
    BOOST_TEST(r.confirmation == "Pressed ctrl+s.");

    r = parse(blocks["toolu_02key"]);  // repeat: three presses, not one
    BOOST_REQUIRE_EQUAL(r.steps.size(), 3u);
    for (const auto& s : r.steps) BOOST_TEST(s.keys == Keys{"BackSpace"});
    BOOST_TEST(r.confirmation == "Pressed BackSpace.");

    r = parse(blocks["toolu_03hold"]);
    BOOST_TEST(only(r).kind == ActionKind::Key);
    BOOST_TEST(only(r).keys == Keys{"Shift_L"});
    BOOST_TEST((only(r).duration == Millis(500)));
    BOOST_TEST(r.confirmation == "Held shift for 0.5s.");

    r = parse(blocks["toolu_04type"]);
    BOOST_TEST(only(r).kind == ActionKind::Type);
    BOOST_TEST(only(r).text == "RUN-78432 é中");
    BOOST_TEST(r.confirmation == "Typed.");

    r = parse(blocks["toolu_05cur"]);
    BOOST_TEST(only(r).kind == ActionKind::CursorPosition);
    BOOST_TEST(r.confirmation.empty());

    r = parse(blocks["toolu_06move"]);
    BOOST_TEST(only(r).kind == ActionKind::MouseMove);
    BOOST_TEST((only(r).point == Point{640, 400}));
    BOOST_TEST(r.confirmation == "Moved the mouse.");

    r = parse(blocks["toolu_07down"]);
    BOOST_TEST(only(r).kind == ActionKind::MouseDown);
    BOOST_TEST(only(r).button == MouseButton::Left);
    BOOST_TEST(!only(r).point.has_value());
    BOOST_TEST(r.confirmation == "Left mouse button pressed.");
    r = parse(blocks["toolu_08up"]);
    BOOST_TEST(only(r).kind == ActionKind::MouseUp);
    BOOST_TEST(r.confirmation == "Left mouse button released.");

    r = parse(blocks["toolu_09click"]);
    BOOST_TEST(only(r).kind == ActionKind::Click);
    BOOST_TEST((only(r).point == Point{640, 400}));
    BOOST_TEST(only(r).held_keys.empty());
    BOOST_TEST(r.confirmation == "Clicked.");
    r = parse(blocks["toolu_10click"]);  // text: modifiers held; caller is the API's, ignored
    BOOST_TEST(only(r).held_keys == (Keys{"Control_L", "Shift_L"}));
    BOOST_TEST((only(r).point == Point{10, 20}));

    r = parse(blocks["toolu_11drag"]);
    BOOST_TEST(only(r).kind == ActionKind::Drag);
    BOOST_TEST((only(r).path == std::vector<Point>{{100, 100}, {300, 200}}));
    BOOST_TEST(r.confirmation == "Dragged.");

    r = parse(blocks["toolu_12right"]);
    BOOST_TEST(only(r).button == MouseButton::Right);
    BOOST_TEST(r.confirmation == "Right-clicked.");
    r = parse(blocks["toolu_13mid"]);  // null is absent, as the types allow
    BOOST_TEST(only(r).button == MouseButton::Middle);
    BOOST_TEST(!only(r).point.has_value());
    BOOST_TEST(r.confirmation == "Middle-clicked.");
    r = parse(blocks["toolu_14dbl"]);
    BOOST_TEST(only(r).kind == ActionKind::DoubleClick);
    BOOST_TEST(only(r).held_keys == Keys{"Alt_L"});
    BOOST_TEST(r.confirmation == "Double-clicked.");
    r = parse(blocks["toolu_15tpl"]);
    BOOST_TEST(only(r).kind == ActionKind::TripleClick);
    BOOST_TEST(r.confirmation == "Triple-clicked.");

    r = parse(blocks["toolu_16scroll"]);
    BOOST_TEST(only(r).kind == ActionKind::Scroll);
    BOOST_TEST(only(r).scroll_y == 5);
    BOOST_TEST(only(r).scroll_x == 0);
    BOOST_TEST((only(r).point == Point{640, 400}));
    BOOST_TEST(r.confirmation == "Scrolled down.");
    r = parse(blocks["toolu_17scroll"]);
    BOOST_TEST(only(r).scroll_x == -2);
    BOOST_TEST(only(r).held_keys == Keys{"Shift_L"});
    BOOST_TEST(r.confirmation == "Scrolled left.");

    r = parse(blocks["toolu_18wait"]);
    BOOST_TEST(only(r).kind == ActionKind::Wait);
    BOOST_TEST((only(r).duration == Millis(2000)));
    BOOST_TEST(r.confirmation == "Waited 2s.");

    r = parse(blocks["toolu_19shot"]);
    BOOST_TEST(only(r).kind == ActionKind::Screenshot);
    r = parse(blocks["toolu_20zoom"]);
    BOOST_TEST(only(r).kind == ActionKind::Zoom);
    BOOST_TEST((*only(r).region == Rect{100, 50, 400, 300}));
}

BOOST_AUTO_TEST_CASE(detected_by_toolset_name_or_named_as_the_dialect) {
    // Without "type" (an agent forwarding the block's parts) toolset_name still decides.
    auto r = parse(R"({"id":"toolu_x","name":"left_click","toolset_name":"computer","input":{}})");
    BOOST_TEST(r.toolset_name == "computer");
    r = parse(R"({"dialect":"computer_toolset_20260801","id":"t","name":"type","input":{"text":"a"}})");
    BOOST_TEST(only(r).kind == ActionKind::Type);
    BOOST_TEST(r.toolset_name == "computer");
    // The older tools keep working beside it.
    r = parse(
        R"({"type":"tool_use","id":"toolu_old","name":"computer","input":{"action":"left_click","coordinate":[1,2]}})");
    BOOST_TEST(r.toolset_name.empty());
    BOOST_TEST(only(r).kind == ActionKind::Click);
}

BOOST_AUTO_TEST_CASE(fields_outside_a_members_type_are_errors_with_their_path) {
    expect_error(
        R"({"type":"tool_use","id":"t","name":"left_click","toolset_name":"computer","input":{"coordinate":[1,2],"clicks":2}})",
        "invalid_field",
        "unknown field 'input.clicks' of computer toolset member 'left_click' (its fields: coordinate, text)");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"key","toolset_name":"computer","input":{"text":"a","action":"key"}})",
        "invalid_field", "unknown field 'input.action' of computer toolset member 'key' (its fields: text, repeat)");
    expect_error(R"({"type":"tool_use","id":"t","name":"screenshot","toolset_name":"computer","input":{"display":1}})",
                 "invalid_field",
                 "unknown field 'input.display' of computer toolset member 'screenshot' (its fields: none)");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"left_click","toolset_name":"computer","input":{},"region":[1,2,3,4]})",
        "invalid_field", "unknown field 'region' in a tool_use block");
}

BOOST_AUTO_TEST_CASE(malformed_members_are_exact_errors) {
    expect_error(R"({"type":"tool_use","id":"t","name":"hover","toolset_name":"computer","input":{}})",
                 "unknown_action", "unknown computer toolset member 'hover'");
    expect_error(R"({"type":"tool_use","id":"t","name":"navigate","toolset_name":"browser","input":{"url":"x"}})",
                 "unknown_action", "toolset 'browser' is not served here (only 'computer')");
    expect_error(R"({"type":"tool_use","id":"t","name":"left_click","toolset_name":"computer"})", "missing_field",
                 "a tool_use block needs an 'input' object");
    expect_error(R"({"type":"tool_use","id":"t","name":"mouse_move","toolset_name":"computer","input":{}})",
                 "missing_field", "field 'input.coordinate' is required");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"left_click","toolset_name":"computer","input":{"coordinate":[1280,5]}})",
        "out_of_range", "field 'input.coordinate' (1280, 5) is outside the screen (1280x800)");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"key","toolset_name":"computer","input":{"text":"a","repeat":0}})",
        "out_of_range", "field 'input.repeat' is 0, outside 1..100");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"key","toolset_name":"computer","input":{"text":"a b","repeat":60}})",
        "too_large", "field 'input.repeat' times the chords in 'text' is 120 key presses, more than 100");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"key","toolset_name":"computer","input":{"text":"a","repeat":1.5}})",
        "invalid_field", "field 'input.repeat' must be an integer, got a number");
    expect_error(R"({"type":"tool_use","id":"t","name":"hold_key","toolset_name":"computer","input":{"text":"a"}})",
                 "missing_field", "field 'input.duration' is required");
    expect_error(R"({"type":"tool_use","id":"t","name":"wait","toolset_name":"computer","input":{}})", "missing_field",
                 "field 'input.duration' is required");
    expect_error(R"({"type":"tool_use","id":"t","name":"wait","toolset_name":"computer","input":{"duration":301}})",
                 "out_of_range", "field 'input.duration' is outside 0..300");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"scroll","toolset_name":"computer","input":{"scroll_direction":"up"}})",
        "missing_field", "field 'input.scroll_amount' is required");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"scroll","toolset_name":"computer","input":{"scroll_direction":"sideways","scroll_amount":1}})",
        "invalid_field", "field 'input.scroll_direction' must be up, down, left or right, got 'sideways'");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"left_click_drag","toolset_name":"computer","input":{"coordinate":[1,2]}})",
        "missing_field", "field 'input.start_coordinate' is required");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"zoom","toolset_name":"computer","input":{"region":[10,10,5,5]}})",
        "out_of_range", "field 'input.region' [10, 10, 5, 5] is empty or outside the screen (1280x800)");
    expect_error(
        R"({"type":"tool_use","id":"t","name":"left_click","toolset_name":"computer","input":{"text":"hyper"}})",
        "unknown_key", "unknown key 'hyper'");
}

ActionResult image_result() {
    ActionResult r;
    r.image = ImageData{"image/png", "PNG", 1280, 800};
    return r;
}

BOOST_AUTO_TEST_CASE(replies_are_the_tool_result_the_next_message_needs) {
    auto blocks = fixture_blocks();
    AgentRequest r = parse(blocks["toolu_09click"]);
    Json reply = success_reply(r, {ActionResult{}});
    const Json& tr = reply["tool_result"];
    BOOST_TEST(tr == Json::parse(R"({"type":"tool_result","tool_use_id":"toolu_09click","toolset_name":"computer",
                                     "content":[{"type":"text","text":"Clicked."}]})"));
    BOOST_TEST(reply["ok"] == true);
    BOOST_TEST(reply["id"] == "toolu_09click");

    r = parse(blocks["toolu_19shot"]);
    reply = success_reply(r, {image_result()});
    BOOST_TEST(reply["tool_result"]["content"] ==
               Json::parse(R"([{"type":"image","source":{"type":"base64","media_type":"image/png","data":"UE5H"}}])"));
    BOOST_TEST(!reply["tool_result"].contains("is_error"));

    r = parse(blocks["toolu_05cur"]);
    ActionResult cursor;
    cursor.cursor = Point{640, 400};
    reply = success_reply(r, {cursor});
    BOOST_TEST(reply["tool_result"]["content"] == Json::parse(R"([{"type":"text","text":"X=640,Y=400"}])"));

    reply = error_reply(parse(blocks["toolu_09click"]), "refused", "refused by policy rule 'no'");
    BOOST_TEST(reply["tool_result"] ==
               Json::parse(R"({"type":"tool_result","tool_use_id":"toolu_09click","toolset_name":"computer",
        "is_error":true,"content":[{"type":"text","text":"refused by policy rule 'no'"}]})"));
}

BOOST_AUTO_TEST_CASE(openai_reply_items_are_the_typed_fixture) {
    const std::vector<Json> items = fixture_lines("openai_computer_call_output.jsonl");
    BOOST_REQUIRE_EQUAL(items.size(), 2u);
    AgentRequest r = parse(R"({"type":"computer_call","call_id":"call_1","actions":[{"type":"move","x":1,"y":1}]})");
    BOOST_TEST(success_reply(r, {ActionResult{}, image_result()})["item"] == items[0]);
    r = parse(
        R"({"type":"computer_call","call_id":"call_2","action":{"type":"click","x":1,"y":1},"pending_safety_checks":[
        {"id":"cu_sc_1","code":"malicious_instructions","message":"The page asks the agent to ignore its task."},
        {"id":"cu_sc_2","code":null,"message":null}]})");
    BOOST_TEST(success_reply(r, {ActionResult{}, image_result()})["item"] == items[1]);
}

}  // namespace
}  // namespace deskbox
