#include "xsession/actions/keys.h"

#include <boost/test/unit_test.hpp>

namespace deskbox {
namespace {

using Keys = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(xdotool_names_and_chords) {
    BOOST_TEST(parse_chord("ctrl+shift+t") == (Keys{"Control_L", "Shift_L", "t"}));
    BOOST_TEST(parse_chord("Return") == Keys{"Return"});
    BOOST_TEST(parse_chord("alt+Tab") == (Keys{"Alt_L", "Tab"}));
    BOOST_TEST(parse_chord("KP_0") == Keys{"KP_0"});
    BOOST_TEST(parse_chord("super") == Keys{"Super_L"});
    BOOST_TEST(parse_chord("ctrl+s") == (Keys{"Control_L", "s"}));
    BOOST_TEST(parse_chord("XF86AudioPlay") == Keys{"XF86AudioPlay"});
    BOOST_TEST(parse_chord(" ctrl + c ") == (Keys{"Control_L", "c"}));
}

BOOST_AUTO_TEST_CASE(plus_key) {
    BOOST_TEST(parse_chord("+") == Keys{"plus"});
    BOOST_TEST(parse_chord("ctrl++") == (Keys{"Control_L", "plus"}));
    BOOST_TEST(parse_chord("ctrl+plus") == (Keys{"Control_L", "plus"}));
}

BOOST_AUTO_TEST_CASE(openai_uppercase_names) {
    BOOST_TEST(key_to_keysym("CTRL") == "Control_L");
    BOOST_TEST(key_to_keysym("ENTER") == "Return");
    BOOST_TEST(key_to_keysym("ARROWLEFT") == "Left");
    BOOST_TEST(key_to_keysym("ARROWDOWN") == "Down");
    BOOST_TEST(key_to_keysym("SPACE") == "space");
    BOOST_TEST(key_to_keysym("ESC") == "Escape");
    BOOST_TEST(key_to_keysym("BACKSPACE") == "BackSpace");
    BOOST_TEST(key_to_keysym("CMD") == "Super_L");
    BOOST_TEST(key_to_keysym("META") == "Super_L");
    BOOST_TEST(key_to_keysym("PAGEDOWN") == "Page_Down");
    BOOST_TEST(key_to_keysym("F5") == "F5");
}

BOOST_AUTO_TEST_CASE(pyautogui_names) {
    BOOST_TEST(key_to_keysym("enter") == "Return");
    BOOST_TEST(key_to_keysym("esc") == "Escape");
    BOOST_TEST(key_to_keysym("pgdn") == "Page_Down");
    BOOST_TEST(key_to_keysym("pgup") == "Page_Up");
    BOOST_TEST(key_to_keysym("win") == "Super_L");
    BOOST_TEST(key_to_keysym("command") == "Super_L");
    BOOST_TEST(key_to_keysym("option") == "Alt_L");
    BOOST_TEST(key_to_keysym("ctrlleft") == "Control_L");
    BOOST_TEST(key_to_keysym("shiftright") == "Shift_R");
    BOOST_TEST(key_to_keysym("num5") == "KP_5");
    BOOST_TEST(key_to_keysym("volumeup") == "XF86AudioRaiseVolume");
    BOOST_TEST(key_to_keysym("f12") == "F12");
    BOOST_TEST(key_to_keysym("prtsc") == "Print");
    BOOST_TEST(key_to_keysym("\n") == "Return");
    BOOST_TEST(key_to_keysym("\t") == "Tab");
    BOOST_TEST(key_to_keysym(" ") == "space");
}

BOOST_AUTO_TEST_CASE(single_characters) {
    BOOST_TEST(key_to_keysym("a") == "a");
    BOOST_TEST(key_to_keysym("A") == "A");
    BOOST_TEST(key_to_keysym("1") == "1");
    BOOST_TEST(key_to_keysym("/") == "slash");
    BOOST_TEST(key_to_keysym("<") == "less");
    BOOST_TEST(key_to_keysym("|") == "bar");
    BOOST_TEST(key_to_keysym("~") == "asciitilde");
    BOOST_TEST(key_to_keysym("\xC3\xA9") == "eacute");     // é
    BOOST_TEST(key_to_keysym("\xE4\xB8\xAD") == "U4E2D");  // 中
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_errors_naming_the_key) {
    BOOST_CHECK_EXCEPTION(key_to_keysym("hyperdrive"), KeyError,
                          [](const KeyError& e) { return std::string(e.what()) == "unknown key 'hyperdrive'"; });
    BOOST_CHECK_EXCEPTION(parse_chord("ctrl+bogus"), KeyError,
                          [](const KeyError& e) { return std::string(e.what()) == "unknown key 'bogus'"; });
    BOOST_CHECK_EXCEPTION(parse_chord("ctrl+"), KeyError,
                          [](const KeyError& e) { return std::string(e.what()) == "empty key name in 'ctrl+'"; });
    BOOST_CHECK_THROW(key_to_keysym(""), KeyError);
    BOOST_CHECK_THROW(key_to_keysym("\x01"), KeyError);
    BOOST_CHECK_THROW(key_to_keysym(std::string(200, 'x')), KeyError);
    BOOST_CHECK_THROW(key_to_keysym("fn"), KeyError);
    BOOST_CHECK_THROW(parse_chord("a+b+c+d+e+f+g+h+i"), KeyError);
}

BOOST_AUTO_TEST_CASE(modifiers_are_recognized) {
    BOOST_TEST(is_modifier_keysym("Control_L"));
    BOOST_TEST(is_modifier_keysym("Super_R"));
    BOOST_TEST(!is_modifier_keysym("Return"));
}

}  // namespace
}  // namespace deskbox
