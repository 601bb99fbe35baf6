// OSWorld's pyautogui action space: code in the shapes OSWorld's agents emit
// (mm_agents/prompts.py asks for "one line or multiple lines of python code",
// `time.sleep(0.5);` between calls, a comment before each, or the special
// codes WAIT / DONE / FAIL) normalizes call by call; everything outside the
// subset is refused naming the construct and its line and column, before any
// of the request could run.
#include <boost/test/unit_test.hpp>

#include "supervisor/control/pyautogui_parser.h"
#include "tests/unit/control/parse_helpers.h"

namespace deskbox {
namespace {

using test::kSpace;
using Keys = std::vector<std::string>;

AgentRequest run(const std::string& code) {
    return test::parse(Json{{"code", code}});
}

void expect_error(const std::string& code, const std::string& error_code, const std::string& message) {
    test::expect_parse_error(Json{{"code", code}}, error_code, message);
}

const std::string kSubset = " is not allowed (pyautogui subset, see docs/protocol.md)";

BOOST_AUTO_TEST_CASE(osworld_style_multi_line_code) {
    // The shape OSWorld's prompt asks for: imports, comments, small sleeps.
    const auto r =
        run("import pyautogui\n"
            "import time\n"
            "# Click the search box\n"
            "pyautogui.click(640, 400)\n"
            "time.sleep(0.5);\n"
            "pyautogui.typewrite('RUN-78432', interval=0.1)\n"
            "pyautogui.hotkey('ctrl', 's')\n"
            "pyautogui.press('enter')\n");
    BOOST_TEST(r.dialect == Dialect::OSWorld);
    BOOST_TEST(r.action_name == "pyautogui");
    BOOST_REQUIRE_EQUAL(r.steps.size(), 5u);
    BOOST_TEST(r.steps[0].kind == ActionKind::Click);
    BOOST_TEST((r.steps[0].point == Point{640, 400}));
    BOOST_TEST(r.steps[1].kind == ActionKind::Wait);
    BOOST_TEST((r.steps[1].duration == Millis(500)));
    BOOST_TEST(r.steps[2].kind == ActionKind::Type);
    BOOST_TEST(r.steps[2].text == "RUN-78432");
    BOOST_TEST(r.steps[3].kind == ActionKind::Key);
    BOOST_TEST(r.steps[3].keys == (Keys{"Control_L", "s"}));
    BOOST_TEST(r.steps[4].keys == Keys{"Return"});
}

BOOST_AUTO_TEST_CASE(one_line_with_semicolons_and_keywords) {
    // OSWorld's own example: pyautogui.click(x=0, y=0, duration=1) after a comment.
    const auto r =
        run("# Click \"Yes, I trust the authors\" button\npyautogui.click(x=10, y=20, duration=1); "
            "pyautogui.doubleClick(100.6, 200.4); pyautogui.rightClick(); pyautogui.middleClick(5, 5)");
    BOOST_REQUIRE_EQUAL(r.steps.size(), 4u);
    BOOST_TEST((r.steps[0].point == Point{10, 20}));
    BOOST_TEST(r.steps[1].kind == ActionKind::DoubleClick);
    BOOST_TEST((r.steps[1].point == Point{101, 200}));  // floats rounded, as OSWorld's coordinates
    BOOST_TEST(r.steps[2].button == MouseButton::Right);
    BOOST_TEST(!r.steps[2].point.has_value());
    BOOST_TEST(r.steps[3].button == MouseButton::Middle);
}

BOOST_AUTO_TEST_CASE(every_function_of_the_subset) {
    const auto r =
        run("pyautogui.click(1, 2, clicks=3, button='right')\n"
            "pyautogui.tripleClick(3, 4)\n"
            "pyautogui.click((30, 40))\n"
            "pyautogui.moveTo(5, 6, duration=0.2)\n"
            "pyautogui.moveRel(-10, 15)\n"
            "pyautogui.dragTo(100, 120, duration=0.5, button='left')\n"
            "pyautogui.dragRel(20, -5)\n"
            "pyautogui.mouseDown(7, 8, button='middle')\n"
            "pyautogui.mouseUp()\n"
            "pyautogui.scroll(-5, x=50, y=60)\n"
            "pyautogui.vscroll(2)\n"
            "pyautogui.hscroll(3)\n"
            "pyautogui.write('a\\tb\\n')\n"
            "pyautogui.typewrite(['a', 'left', 'enter'])\n"
            "pyautogui.press(['tab', 'tab'], presses=2)\n"
            "pyautogui.hotkey(['ctrl', 'shift', 't'])\n"
            "pyautogui.keyDown('shift'); pyautogui.keyUp('shift')\n"
            "WAIT\n");
    std::size_t i = 0;
    auto next = [&]() -> const Action& {
        BOOST_REQUIRE_LT(i, r.steps.size());
        return r.steps[i++];
    };
    const Action* a = &next();
    BOOST_TEST(a->kind == ActionKind::TripleClick);
    BOOST_TEST(a->button == MouseButton::Right);
    BOOST_TEST(next().kind == ActionKind::TripleClick);
    a = &next();
    BOOST_TEST((a->point == Point{30, 40}));
    a = &next();
    BOOST_TEST(a->kind == ActionKind::MouseMove);
    BOOST_TEST((a->point == Point{5, 6}));
    a = &next();
    BOOST_TEST(a->kind == ActionKind::MouseMove);
    BOOST_TEST(a->relative);
    BOOST_TEST((a->point == Point{-10, 15}));
    a = &next();
    BOOST_TEST(a->kind == ActionKind::Drag);
    BOOST_TEST((a->path == std::vector<Point>{{100, 120}}));
    BOOST_TEST(!a->relative);
    a = &next();
    BOOST_TEST(a->relative);
    BOOST_TEST((a->path == std::vector<Point>{{20, -5}}));
    a = &next();
    BOOST_TEST(a->kind == ActionKind::MouseDown);
    BOOST_TEST(a->button == MouseButton::Middle);
    BOOST_TEST(next().kind == ActionKind::MouseUp);
    a = &next();
    BOOST_TEST(a->scroll_y == 5);  // pyautogui: negative scrolls down
    BOOST_TEST((a->point == Point{50, 60}));
    BOOST_TEST(next().scroll_y == -2);
    BOOST_TEST(next().scroll_x == 3);
    a = &next();
    BOOST_TEST(a->kind == ActionKind::Type);
    BOOST_TEST(a->text == "a\tb\n");
    BOOST_TEST(next().keys == Keys{"a"});
    BOOST_TEST(next().keys == Keys{"Left"});
    BOOST_TEST(next().keys == Keys{"Return"});
    for (int k = 0; k < 4; ++k) BOOST_TEST(next().keys == Keys{"Tab"});
    BOOST_TEST(next().keys == (Keys{"Control_L", "Shift_L", "t"}));
    a = &next();
    BOOST_TEST(a->kind == ActionKind::KeyDown);
    BOOST_TEST(a->keys == Keys{"Shift_L"});
    BOOST_TEST(next().kind == ActionKind::KeyUp);
    a = &next();
    BOOST_TEST(a->kind == ActionKind::Wait);
    BOOST_TEST((a->duration == Millis(2000)));
    BOOST_TEST(i == r.steps.size());
}

BOOST_AUTO_TEST_CASE(special_codes_and_explicit_dialect) {
    BOOST_TEST(run("DONE").steps.at(0).kind == ActionKind::Done);
    BOOST_TEST(run("FAIL\n").steps.at(0).kind == ActionKind::Fail);
    const auto r = test::parse(Json{{"dialect", "pyautogui"}, {"code", "WAIT"}, {"id", 4}});
    BOOST_TEST(r.steps.at(0).kind == ActionKind::Wait);
    BOOST_TEST(r.id == 4);
}

BOOST_AUTO_TEST_CASE(python_string_escapes) {
    const auto r = run(R"(pyautogui.write('it\'s \"q\" \\ \x41\u00e9\U0001F600 \101 \d' "tail" '''x'y''')
pyautogui.write(r'C:\new')
pyautogui.write("""two
lines""")
pyautogui.write(u'\t')
)");
    BOOST_REQUIRE_EQUAL(r.steps.size(), 4u);
    BOOST_TEST(r.steps[0].text == "it's \"q\" \\ Aé\xF0\x9F\x98\x80 A \\dtailx'y");
    BOOST_TEST(r.steps[1].text == "C:\\new");
    BOOST_TEST(r.steps[2].text == "two\nlines");
    BOOST_TEST(r.steps[3].text == "\t");
}

BOOST_AUTO_TEST_CASE(relative_steps_resolve_from_the_pointer) {
    Action a = run("pyautogui.moveRel(-10, 15)").steps.at(0);
    resolve_from_pointer(a, Point{100, 100}, kSpace);
    BOOST_TEST(!a.relative);
    BOOST_TEST((a.point == Point{90, 115}));
    Action drag = run("pyautogui.dragRel(5, 5)").steps.at(0);
    resolve_from_pointer(drag, Point{1, 1}, kSpace);
    BOOST_TEST((drag.path == std::vector<Point>{{1, 1}, {6, 6}}));
    Action to = run("pyautogui.dragTo(50, 60)").steps.at(0);
    BOOST_TEST(needs_pointer(to));
    resolve_from_pointer(to, Point{3, 4}, kSpace);
    BOOST_TEST((to.path == std::vector<Point>{{3, 4}, {50, 60}}));
    BOOST_TEST(!needs_pointer(to));
    Action off = run("pyautogui.moveRel(-200, 0)").steps.at(0);
    try {
        resolve_from_pointer(off, Point{100, 100}, kSpace);
        BOOST_ERROR("no error");
    } catch (const ProtocolError& e) {
        BOOST_TEST(e.code() == "out_of_range");
        BOOST_TEST(
            std::string(e.what()) ==
            "the offset (-200, 0) from the pointer at (100, 100) leads to (-100, 100), outside the screen (1280x800)");
    }
}

BOOST_AUTO_TEST_CASE(constructs_outside_the_subset_name_themselves_and_their_position) {
    expect_error("import os", "forbidden_construct",
                 "line 1, column 8: import of 'os' (only pyautogui and time)" + kSubset);
    expect_error("import pyautogui\nimport subprocess", "forbidden_construct",
                 "line 2, column 8: import of 'subprocess' (only pyautogui and time)" + kSubset);
    expect_error("from os import system", "forbidden_construct", "line 1, column 1: 'from ... import'" + kSubset);
    expect_error("import pyautogui as pg", "forbidden_construct", "line 1, column 18: 'import ... as'" + kSubset);
    expect_error("pyautogui.click(1, 2)\nos.system('rm -rf /')", "forbidden_construct",
                 "line 2, column 1: 'os.system' (only pyautogui and time.sleep)" + kSubset);
    expect_error("eval('1')", "forbidden_construct", "line 1, column 1: a call of 'eval'" + kSubset);
    expect_error("__import__('os')", "forbidden_construct", "line 1, column 1: a call of '__import__'" + kSubset);
    expect_error("for i in range(3):\n    pyautogui.press('a')", "forbidden_construct",
                 "line 1, column 1: a 'for' loop" + kSubset);
    expect_error("while True: pass", "forbidden_construct", "line 1, column 1: a 'while' loop" + kSubset);
    expect_error("x = 5\npyautogui.click(x, 5)", "forbidden_construct",
                 "line 1, column 1: assignment to 'x'" + kSubset);
    expect_error("pyautogui.click(x, 5)", "forbidden_construct",
                 "line 1, column 17: the name 'x' as an argument (arguments are literals)" + kSubset);
    expect_error("pyautogui.typewrite(f'{secret}')", "forbidden_construct", "line 1, column 21: an f-string" + kSubset);
    expect_error("pyautogui.FAILSAFE = False", "forbidden_construct",
                 "line 1, column 1: assignment to 'pyautogui.FAILSAFE'" + kSubset);
    expect_error("pyautogui.screenshot()", "forbidden_construct",
                 "line 1, column 11: the function 'pyautogui.screenshot' (outside the subset)" + kSubset);
    expect_error("time.time()", "forbidden_construct",
                 "line 1, column 6: the function 'time.time' (outside the subset)" + kSubset);
    expect_error("pyautogui.click(100 + 20, 5)", "forbidden_construct",
                 "line 1, column 21: an expression with '+' (arguments are literals)" + kSubset);
    expect_error("pyautogui.write('a'.upper())", "forbidden_construct",
                 "line 1, column 20: attribute access on a literal" + kSubset);
    expect_error("pyautogui.write(open('/etc/passwd').read())", "forbidden_construct",
                 "line 1, column 17: a call of 'open' inside the arguments" + kSubset);
    expect_error("pyautogui.click(1, 2), pyautogui.write('x')", "forbidden_construct",
                 "line 1, column 22: a tuple of calls (',' after a call; one call per statement)" + kSubset);
    expect_error("pyautogui.hotkey(*keys)", "forbidden_construct",
                 "line 1, column 18: argument unpacking ('*')" + kSubset);
    expect_error("def f():\n    pass", "forbidden_construct", "line 1, column 1: a definition ('def')" + kSubset);
    expect_error("if True:\n    DONE", "forbidden_construct", "line 1, column 1: 'if'" + kSubset);
    expect_error("lambda: 0", "forbidden_construct", "line 1, column 1: a definition ('lambda')" + kSubset);
    expect_error("pyautogui.write(b'x')", "forbidden_construct", "line 1, column 17: a bytes literal" + kSubset);
    expect_error("pyautogui.write({'a': 1})", "forbidden_construct",
                 "line 1, column 17: a dict or set literal" + kSubset);
    expect_error("print('hi')", "forbidden_construct", "line 1, column 1: a call of 'print'" + kSubset);
    expect_error("pyautogui", "forbidden_construct",
                 "line 1, column 1: the module 'pyautogui' used other than in a call" + kSubset);
}

BOOST_AUTO_TEST_CASE(malformed_code_and_arguments_are_exact_errors) {
    expect_error("pyautogui.click(1, 2", "invalid_code",
                 "line 1, column 21: expected ',' or the end of the call's arguments, got the end of the code");
    expect_error("pyautogui.write('abc)", "invalid_code", "line 1, column 17: unterminated string");
    expect_error("pyautogui.write('abc\n')", "invalid_code",
                 "line 1, column 17: unterminated string (a newline inside a quoted string)");
    expect_error("  pyautogui.click(1, 2)", "invalid_code", "line 1, column 3: unexpected indentation");
    expect_error("pyautogui.click(1, 2) $", "invalid_code", "line 1, column 23: unexpected character '$'");
    expect_error("pyautogui.write('\\x4')", "invalid_code", "line 1, column 18: escape \\x needs 2 hex digits");
    expect_error("pyautogui.click(x=1, 2)", "invalid_code",
                 "line 1, column 22: a positional argument follows a keyword argument");
    expect_error("pyautogui.click(1, 2, 3, 0.1, 'left', 0.2, 'extra')", "invalid_field",
                 "line 1, column 44: pyautogui.click takes at most 6 positional arguments");
    expect_error("pyautogui.click(1, 2, tween=1)", "invalid_field",
                 "line 1, column 23: pyautogui.click has no keyword argument 'tween' in the subset");
    expect_error("pyautogui.dragTo(1, 2, 0.5, 1)", "invalid_field",
                 "line 1, column 29: pyautogui.dragTo argument 'tween' is outside the subset");
    expect_error("pyautogui.click(x=1)", "missing_field",
                 "line 1, column 1: pyautogui.click needs both 'x' and 'y' (or neither)");
    expect_error("pyautogui.click(2000, 5)", "out_of_range",
                 "line 1, column 17: pyautogui.click point (x, y) (2000, 5) is outside the screen (1280x800)");
    expect_error("pyautogui.click(1, 2, clicks=4)", "out_of_range",
                 "line 1, column 30: pyautogui.click argument 'clicks' is 4, outside 1..3");
    expect_error("pyautogui.click(1, 2, button='left2')", "invalid_field",
                 "line 1, column 30: pyautogui.click argument 'button' must be left, right, middle, primary or "
                 "secondary, got 'left2'");
    expect_error("pyautogui.press('hyperdrive')", "unknown_key",
                 "line 1, column 17: pyautogui.press argument 'keys': unknown key 'hyperdrive'");
    expect_error("pyautogui.typewrite()", "missing_field",
                 "line 1, column 1: pyautogui.typewrite needs argument 'message'");
    expect_error("time.sleep(301)", "out_of_range", "line 1, column 12: time.sleep argument 'secs' is outside 0..300");
    expect_error("pyautogui.scroll('up')", "invalid_field",
                 "line 1, column 18: pyautogui.scroll argument 'clicks' must be an integer");
    expect_error("pyautogui.press('a', presses=101)", "out_of_range",
                 "line 1, column 30: pyautogui.press argument 'presses' is 101, outside 1..100");
    expect_error("# only a comment\n", "invalid_request", "the code names no action");
}

BOOST_AUTO_TEST_CASE(a_forbidden_construct_anywhere_refuses_the_whole_request) {
    // Allowed calls before and after: nothing is returned to run.
    expect_error("pyautogui.click(1, 2)\npyautogui.write('ok')\nimport os\npyautogui.press('enter')",
                 "forbidden_construct", "line 3, column 8: import of 'os' (only pyautogui and time)" + kSubset);
}

}  // namespace
}  // namespace deskbox
