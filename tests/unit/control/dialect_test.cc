// Every dialect's example actions (from the providers' documentation, see
// docs/protocol.md) parse and normalize as expected; bad ones get exact errors.
#include <boost/test/unit_test.hpp>

#include "tests/unit/control/parse_helpers.h"

namespace deskbox {
namespace {

using test::expect_error;
using test::kSpace;
using test::only;
using test::parse;
using Keys = std::vector<std::string>;

// --- Anthropic computer tool -------------------------------------------------

BOOST_AUTO_TEST_CASE(anthropic_pointer_actions) {
    auto r = parse(R"({"id":"a1","action":"left_click","coordinate":[500,300]})");
    BOOST_TEST(r.dialect == Dialect::Anthropic);
    BOOST_TEST(r.id == "a1");
    BOOST_TEST(only(r).kind == ActionKind::Click);
    BOOST_TEST((only(r).point == Point{500, 300}));
    BOOST_TEST(only(r).button == MouseButton::Left);

    r = parse(R"({"action":"left_click","coordinate":[500,300],"text":"shift"})");  // 20250124 modifier
    BOOST_TEST(only(r).held_keys == Keys{"Shift_L"});
    r = parse(R"({"action":"left_click"})");  // at the pointer
    BOOST_TEST(!only(r).point.has_value());
    BOOST_TEST(only(parse(R"({"action":"right_click","coordinate":[1,2]})")).button == MouseButton::Right);
    BOOST_TEST(only(parse(R"({"action":"middle_click","coordinate":[1,2]})")).button == MouseButton::Middle);
    BOOST_TEST(only(parse(R"({"action":"double_click","coordinate":[1,2]})")).kind == ActionKind::DoubleClick);
    BOOST_TEST(only(parse(R"({"action":"triple_click","coordinate":[1,2]})")).kind == ActionKind::TripleClick);
    BOOST_TEST(only(parse(R"({"action":"mouse_move","coordinate":[1279,799]})")).kind == ActionKind::MouseMove);
    BOOST_TEST(only(parse(R"({"action":"left_mouse_down"})")).kind == ActionKind::MouseDown);
    BOOST_TEST(only(parse(R"({"action":"left_mouse_up"})")).kind == ActionKind::MouseUp);

    r = parse(R"({"action":"left_click_drag","start_coordinate":[100,100],"coordinate":[300,300]})");
    BOOST_TEST(only(r).kind == ActionKind::Drag);
    BOOST_TEST((only(r).path == std::vector<Point>{{100, 100}, {300, 300}}));
    r = parse(R"({"action":"left_click_drag","coordinate":[300,300]})");  // 20241022: from the pointer
    BOOST_TEST((only(r).path == std::vector<Point>{{300, 300}}));
}

BOOST_AUTO_TEST_CASE(anthropic_keyboard_and_scroll) {
    auto r = parse(R"({"action":"key","text":"ctrl+s"})");
    BOOST_TEST(only(r).kind == ActionKind::Key);
    BOOST_TEST(only(r).keys == (Keys{"Control_L", "s"}));
    r = parse(R"({"action":"key","text":"ctrl+a BackSpace"})");  // xdotool sequence: two chords
    BOOST_REQUIRE_EQUAL(r.steps.size(), 2u);
    BOOST_TEST(r.steps[1].keys == Keys{"BackSpace"});
    r = parse(R"({"action":"hold_key","text":"shift","duration":2})");
    BOOST_TEST((only(r).duration == Millis(2000)));
    r = parse(R"({"action":"type","text":"Hello, world!\n<é中>"})");
    BOOST_TEST(only(r).text == "Hello, world!\n<é中>");

    r = parse(R"({"action":"scroll","coordinate":[500,400],"scroll_direction":"down","scroll_amount":3})");
    BOOST_TEST(only(r).kind == ActionKind::Scroll);
    BOOST_TEST(only(r).scroll_y == 3);
    BOOST_TEST(only(r).scroll_x == 0);
    r = parse(R"({"action":"scroll","scroll_direction":"left","scroll_amount":5,"text":"ctrl"})");
    BOOST_TEST(only(r).scroll_x == -5);
    BOOST_TEST(only(r).held_keys == Keys{"Control_L"});
}

BOOST_AUTO_TEST_CASE(anthropic_observations) {
    BOOST_TEST(only(parse(R"({"action":"screenshot"})")).kind == ActionKind::Screenshot);
    BOOST_TEST(parse(R"({"action":"screenshot"})").dialect == Dialect::Anthropic);
    BOOST_TEST(only(parse(R"({"action":"cursor_position"})")).kind == ActionKind::CursorPosition);
    auto r = parse(R"({"action":"wait","duration":1.5})");
    BOOST_TEST((only(r).duration == Millis(1500)));
    r = parse(R"({"action":"zoom","region":[0,0,640,400]})");
    BOOST_TEST(only(r).kind == ActionKind::Zoom);
    BOOST_TEST((*only(r).region == Rect{0, 0, 640, 400}));
}

BOOST_AUTO_TEST_CASE(anthropic_tool_use_block) {
    auto r = parse(R"({"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"computer",
                       "input":{"action":"left_click","coordinate":[10,20]}})");
    BOOST_TEST(r.dialect == Dialect::Anthropic);
    BOOST_TEST(r.tool_use_id == "toolu_01A09q90qw90lq917835lq9");
    BOOST_TEST(r.id == "toolu_01A09q90qw90lq917835lq9");
    BOOST_TEST((only(r).point == Point{10, 20}));
}

BOOST_AUTO_TEST_CASE(anthropic_errors) {
    expect_error(R"({"action":"left_click","coordinate":[1280,10]})", "out_of_range",
                 "field 'coordinate' (1280, 10) is outside the screen (1280x800)");
    expect_error(R"({"action":"left_click","coordinate":[-1,10]})", "out_of_range",
                 "field 'coordinate' (-1, 10) is outside the screen (1280x800)");
    expect_error(R"({"action":"left_click","coordinate":[10.5,10]})", "invalid_field",
                 "field 'coordinate' must be [x, y] integers");
    expect_error(R"({"action":"left_click","coordinate":"10,10"})", "invalid_field",
                 "field 'coordinate' must be [x, y], got a string");
    expect_error(R"({"action":"mouse_move"})", "missing_field", "field 'coordinate' is required");
    expect_error(R"({"action":"key","text":"ctrl+hyper_space"})", "unknown_key", "unknown key 'hyper_space'");
    expect_error(R"({"action":"scroll","scroll_direction":"sideways","scroll_amount":1})", "invalid_field",
                 "field 'scroll_direction' must be up, down, left or right, got 'sideways'");
    expect_error(R"({"action":"scroll","scroll_direction":"up","scroll_amount":1000})", "out_of_range",
                 "field 'scroll_amount' is 1000, outside 0..100");
    expect_error(R"({"action":"zoom","region":[10,10,5,5]})", "out_of_range",
                 "field 'region' [10, 10, 5, 5] is empty or outside the screen (1280x800)");
    // A huge or fractional corner: clamped or refused, never converted out of range.
    expect_error(R"({"action":"zoom","region":[0,0,1e300,5]})", "out_of_range",
                 "field 'region' [0, 0, 1073741824, 5] is empty or outside the screen (1280x800)");
    expect_error(R"({"action":"zoom","region":[0,0,10.5,5]})", "invalid_field",
                 "field 'region' must be [x0, y0, x1, y1] integers");
    expect_error(R"({"action":"wait","duration":10000})", "out_of_range", "field 'duration' is outside 0..300");
    expect_error(R"({"action":"teleport"})", "unknown_action", "unknown action 'teleport'");
    const std::string huge = R"({"action":"type","text":")" + std::string(200'000, 'x') + R"("})";
    expect_error(huge.c_str(), "too_large", "field 'text' is 200000 bytes, more than the 100000 allowed");
}

// --- OpenAI computer_call -------------------------------------------------------

BOOST_AUTO_TEST_CASE(openai_computer_call_item) {
    auto r = parse(R"({"type":"computer_call","id":"cu_67cc","call_id":"call_zw3",
        "action":{"type":"click","button":"left","x":156,"y":50},"pending_safety_checks":[],"status":"completed"})");
    BOOST_TEST(r.dialect == Dialect::OpenAI);
    BOOST_TEST(r.call_id == "call_zw3");
    BOOST_TEST(r.id == "cu_67cc");
    BOOST_TEST(r.screenshot_after);
    BOOST_TEST(only(r).kind == ActionKind::Click);
    BOOST_TEST((only(r).point == Point{156, 50}));
}

BOOST_AUTO_TEST_CASE(openai_bare_actions) {
    BOOST_TEST(only(parse(R"({"type":"click","button":"wheel","x":1,"y":2})")).button == MouseButton::Middle);
    BOOST_TEST(only(parse(R"({"type":"click","button":"back","x":1,"y":2})")).button == MouseButton::Back);
    BOOST_TEST(only(parse(R"({"type":"click","button":"forward","x":1,"y":2})")).button == MouseButton::Forward);
    BOOST_TEST(only(parse(R"({"type":"double_click","x":1,"y":2})")).kind == ActionKind::DoubleClick);
    BOOST_TEST(only(parse(R"({"type":"move","x":1,"y":2})")).kind == ActionKind::MouseMove);
    auto r = parse(R"({"type":"drag","path":[{"x":10,"y":10},{"x":50,"y":60},{"x":200,"y":200}]})");
    BOOST_TEST((only(r).path == std::vector<Point>{{10, 10}, {50, 60}, {200, 200}}));
    r = parse(R"({"type":"keypress","keys":["CTRL","A"]})");
    BOOST_TEST(only(r).keys == (Keys{"Control_L", "a"}));
    r = parse(R"({"type":"keypress","keys":["ENTER"]})");
    BOOST_TEST(only(r).keys == Keys{"Return"});
    r = parse(R"({"type":"scroll","x":400,"y":300,"scroll_x":0,"scroll_y":-250})");
    BOOST_TEST(only(r).scroll_y == -3);  // 250 px up = 3 wheel clicks (100 px each, rounded up)
    r = parse(R"({"type":"scroll","x":400,"y":300,"scroll_x":40,"scroll_y":0})");
    BOOST_TEST(only(r).scroll_x == 1);
    BOOST_TEST(only(parse(R"({"type":"type","text":"hello"})")).text == "hello");
    BOOST_TEST((only(parse(R"({"type":"wait"})")).duration == Millis(2000)));
    BOOST_TEST(only(parse(R"({"type":"screenshot"})")).kind == ActionKind::Screenshot);
}

BOOST_AUTO_TEST_CASE(openai_ga_batch_with_held_keys) {
    auto r = parse(R"({"type":"computer_call","call_id":"call_1","actions":[
        {"type":"click","x":10,"y":20,"button":"left","keys":["SHIFT"]},
        {"type":"type","text":"hi"},
        {"type":"keypress","keys":["CTRL","S"]}]})");
    BOOST_REQUIRE_EQUAL(r.steps.size(), 3u);
    BOOST_TEST(r.openai_batched);
    BOOST_TEST(r.steps[0].held_keys == Keys{"Shift_L"});
    BOOST_TEST(r.steps[1].kind == ActionKind::Type);
    BOOST_TEST(r.steps[2].keys == (Keys{"Control_L", "s"}));
    BOOST_TEST(r.action_name == "click,type,keypress");
}

BOOST_AUTO_TEST_CASE(openai_errors) {
    expect_error(R"({"type":"click","x":10.5,"y":1})", "invalid_field", "field 'x' must be an integer, got a number");
    expect_error(R"({"type":"click","x":10,"y":900})", "out_of_range",
                 "point (x, y) (10, 900) is outside the screen (1280x800)");
    expect_error(R"({"type":"click","x":10})", "missing_field", "fields 'x' and 'y' go together");
    expect_error(R"({"type":"click","x":1,"y":1,"button":"thumb"})", "invalid_field",
                 "field 'button' must be left, right, wheel, back or forward, got 'thumb'");
    expect_error(R"({"type":"keypress","keys":["CTRL","NOPE"]})", "unknown_key", "unknown key 'NOPE'");
    expect_error(R"({"type":"drag","path":[{"x":1,"y":1}]})", "invalid_field",
                 "field 'path' must be an array of at least two {x, y} points");
    expect_error(R"({"type":"computer_call","call_id":"c","action":{"type":"fly"}})", "unknown_action",
                 "unknown OpenAI computer action 'fly'");
    expect_error(R"({"type":"computer_call","call_id":"c"})", "missing_field",
                 "a computer_call needs 'action' or 'actions'");
}

// --- OSWorld computer_13 -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(osworld_actions) {
    auto r = parse(R"({"action_type":"CLICK","parameters":{"button":"right","num_clicks":1}})");  // OSWorld README
    BOOST_TEST(r.dialect == Dialect::OSWorld);
    BOOST_TEST(only(r).kind == ActionKind::Click);
    BOOST_TEST(only(r).button == MouseButton::Right);
    BOOST_TEST(!only(r).point.has_value());
    r = parse(R"({"action_type":"CLICK","parameters":{"x":10,"y":20,"num_clicks":3}})");
    BOOST_TEST(only(r).kind == ActionKind::TripleClick);
    r = parse(R"({"action_type":"MOVE_TO","parameters":{"x":100.4,"y":200.6}})");
    BOOST_TEST((only(r).point == Point{100, 201}));
    r = parse(R"({"action_type":"move_to","x":5,"y":6})");  // lower case, flat parameters
    BOOST_TEST((only(r).point == Point{5, 6}));
    BOOST_TEST(only(parse(R"({"action_type":"MOUSE_DOWN","parameters":{"button":"middle"}})")).button ==
               MouseButton::Middle);
    BOOST_TEST(only(parse(R"({"action_type":"MOUSE_UP"})")).kind == ActionKind::MouseUp);
    BOOST_TEST(only(parse(R"({"action_type":"RIGHT_CLICK","parameters":{"x":1,"y":1}})")).button == MouseButton::Right);
    BOOST_TEST(only(parse(R"({"action_type":"DOUBLE_CLICK"})")).kind == ActionKind::DoubleClick);
    r = parse(R"({"action_type":"DRAG_TO","parameters":{"x":300,"y":400}})");
    BOOST_TEST((only(r).path == std::vector<Point>{{300, 400}}));
    r = parse(R"({"action_type":"SCROLL","parameters":{"dx":2,"dy":-3}})");
    BOOST_TEST(only(r).scroll_y == 3);  // pyautogui: negative dy scrolls down
    BOOST_TEST(only(r).scroll_x == 2);
    BOOST_TEST(only(parse(R"({"action_type":"TYPING","parameters":{"text":"abc"}})")).text == "abc");
    BOOST_TEST(only(parse(R"({"action_type":"PRESS","parameters":{"key":"enter"}})")).keys == Keys{"Return"});
    BOOST_TEST(only(parse(R"({"action_type":"KEY_DOWN","parameters":{"key":"shift"}})")).kind == ActionKind::KeyDown);
    BOOST_TEST(only(parse(R"({"action_type":"KEY_UP","parameters":{"key":"shift"}})")).keys == Keys{"Shift_L"});
    BOOST_TEST(only(parse(R"({"action_type":"HOTKEY","parameters":{"keys":["ctrl","c"]}})")).keys ==
               (Keys{"Control_L", "c"}));
    BOOST_TEST(only(parse(R"({"action_type":"WAIT"})")).kind == ActionKind::Wait);
    BOOST_TEST(only(parse(R"({"action_type":"FAIL"})")).kind == ActionKind::Fail);
    BOOST_TEST(only(parse(R"({"action_type":"DONE"})")).kind == ActionKind::Done);
}

BOOST_AUTO_TEST_CASE(osworld_errors) {
    expect_error(R"({"action_type":"JUMP"})", "unknown_action", "unknown OSWorld action_type 'JUMP'");
    expect_error(R"({"action_type":"CLICK","parameters":{"num_clicks":4}})", "out_of_range",
                 "field 'num_clicks' is 4, outside 1..3");
    expect_error(R"({"action_type":"PRESS","parameters":{"key":"warp"}})", "unknown_key", "unknown key 'warp'");
    expect_error(R"({"action_type":"MOVE_TO","parameters":{"x":5000,"y":1}})", "out_of_range",
                 "point (x, y) (5000, 1) is outside the screen (1280x800)");
    expect_error(R"({"action_type":"CLICK","parameters":[1]})", "invalid_field",
                 "field 'parameters' must be an object, got an array");
}

// --- deskbox --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(deskbox_element_actions_and_observations) {
    auto r = parse(R"({"id":1,"action":"click_element","role":"push button","name":"Save"})");
    BOOST_TEST(r.dialect == Dialect::Deskbox);
    BOOST_TEST(only(r).kind == ActionKind::ClickElement);
    BOOST_TEST(only(r).element->role == "push button");
    BOOST_TEST(only(r).element->name == "Save");
    BOOST_TEST(!only(r).element->regex);
    r = parse(R"({"action":"type_into","role":"text","name":"(?i)search","regex":true,"app":"Firefox","text":"x"})");
    BOOST_TEST(only(r).element->regex);
    BOOST_TEST(only(r).element->app == "Firefox");
    BOOST_TEST(only(r).text == "x");
    BOOST_TEST(only(parse(R"({"action":"focus_element","name":"Name"})")).kind == ActionKind::FocusElement);
    r = parse(R"({"action":"screenshot","format":"jpeg","quality":60,"settle":true,"cursor":true})");
    BOOST_TEST(r.dialect == Dialect::Deskbox);
    BOOST_TEST(r.capture.format == "jpeg");
    BOOST_TEST(r.capture.jpeg_quality == 60);
    BOOST_TEST(r.capture.settle);
    BOOST_TEST(r.capture.cursor);
    BOOST_TEST(only(parse(R"({"action":"tree","app":"gedit"})")).element->app == "gedit");
    r = parse(R"({"action":"tree","format":"osworld_xml","interactive_only":true})");
    BOOST_TEST(only(r).tree_format == "osworld_xml");
    BOOST_TEST(only(r).interactive_only);
    expect_error(R"({"action":"tree","format":"yaml"})", "invalid_field",
                 "field 'format' must be json, osworld_xml or linearized, got 'yaml'");
    BOOST_TEST((only(parse(R"({"action":"hit_test","x":5,"y":6})")).point == Point{5, 6}));
    BOOST_TEST((parse(R"({"action":"status","id":3})").kind == AgentRequest::Kind::Status));
    r = parse(R"({"dialect":"deskbox","action":"screenshot"})");
    BOOST_TEST(r.dialect == Dialect::Deskbox);
    r = parse(R"({"action":"left_click","coordinate":[1,1],"capture":{"format":"jpeg","settle":true}})");
    BOOST_TEST(r.capture.settle);
}

BOOST_AUTO_TEST_CASE(openai_pending_safety_checks) {
    auto r = parse(
        R"({"type":"computer_call","call_id":"c","actions":[{"type":"click","x":1,"y":1},{"type":"type","text":"a"}],
        "pending_safety_checks":[{"id":"cu_sc_1","code":"sensitive_domain","message":"You are on a bank's site."}]})");
    const std::vector<SafetyCheck> want = {{"cu_sc_1", "sensitive_domain", "You are on a bank's site."}};
    BOOST_TEST(r.safety_checks == want);
    BOOST_REQUIRE_EQUAL(r.steps.size(), 2u);
    for (const auto& s : r.steps) BOOST_TEST(s.safety_checks == want);  // no step runs on an allow alone
    BOOST_TEST(r.capture.current_url);
    BOOST_TEST(parse(R"({"type":"computer_call","call_id":"c","action":{"type":"wait"},"pending_safety_checks":[]})")
                   .safety_checks.empty());
    expect_error(R"({"type":"computer_call","action":{"type":"wait"},"pending_safety_checks":[{"code":"x"}]})",
                 "missing_field", "field 'pending_safety_checks[0].id' is required");
    expect_error(R"({"type":"computer_call","action":{"type":"wait"},"pending_safety_checks":{"id":"x"}})",
                 "invalid_field", "field 'pending_safety_checks' must be an array, got an object");
    expect_error(
        R"({"type":"computer_call","action":{"type":"wait"},"pending_safety_checks":[{"id":"x","message":5}]})",
        "invalid_field", "field 'pending_safety_checks[0].message' must be a string, got an integer");
}

BOOST_AUTO_TEST_CASE(deskbox_and_envelope_errors) {
    expect_error(R"({"action":"click_element"})", "missing_field", "an element action needs 'role' or 'name'");
    // Element patterns are RE2, checked when the request arrives.
    expect_error(R"({"action":"click_element","name":"Save (","regex":true})", "invalid_pattern",
                 "field 'name': invalid regular expression 'Save (': missing ): Save (");
    expect_error(R"({"action":"type_into","role":"text","app":"(?<=a)b","regex":true,"text":"x"})", "invalid_pattern",
                 "field 'app': invalid regular expression '(?<=a)b': invalid perl operator: (?<");
    expect_error(R"({"action":"tree","window":"[z-a]","regex":true})", "invalid_pattern",
                 "field 'window': invalid regular expression '[z-a]': invalid character class range: z-a");
    BOOST_TEST(only(parse(R"({"action":"click_element","name":"Save (","regex":false})")).element->name == "Save (");
    expect_error(R"({"action":"screenshot","format":"gif"})", "invalid_field",
                 "field 'format' must be png or jpeg, got 'gif'");
    expect_error(R"({"id":{"a":1},"action":"screenshot"})", "invalid_field",
                 "field 'id' must be a string or an integer, got an object");
    const std::string long_id = R"({"id":")" + std::string(200, 'i') + R"(","action":"screenshot"})";
    expect_error(long_id.c_str(), "too_large", "field 'id' is longer than 128 bytes");
    expect_error(R"({"hello":"world"})", "unknown_dialect",
                 "cannot tell the request's dialect: expected 'action' (Anthropic, deskbox), 'toolset_name' "
                 "(Anthropic toolset), 'type' or 'actions' (OpenAI), 'action_type' or 'code' (OSWorld)");
    expect_error(R"({"type":"teleport"})", "unknown_action", "unknown action type 'teleport'");
    // A long name is quoted cut at a character boundary (found by the fuzzer).
    const std::string long_name = R"({"action":")" + std::string(63, 'x') + "\xE4\xB8\xAD\"}";
    expect_error(long_name.c_str(), "unknown_action", "unknown action '" + std::string(63, 'x') + "...'");
    expect_error(R"({"action":42})", "invalid_field", "field 'action' must be a string or an object, got an integer");
    expect_error(R"({"dialect":"klingon","action":"x"})", "invalid_field",
                 "field 'dialect' must be anthropic, computer_toolset_20260801, openai, osworld, pyautogui or deskbox, "
                 "got 'klingon'");
}

}  // namespace
}  // namespace deskbox
