#include "xsession/actions/keys.h"

#include <X11/Xlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <unordered_map>

namespace deskbox {
namespace {

// Lower-case aliases from OpenAI's, pyautogui's and common usage to keysyms.
// X keysym names themselves (any case listed here, or exact case otherwise)
// need no entry: XStringToKeysym validates them.
const std::unordered_map<std::string_view, std::string_view>& aliases() {
    static const std::unordered_map<std::string_view, std::string_view> table = {
        // modifiers
        {"ctrl", "Control_L"},
        {"control", "Control_L"},
        {"ctrlleft", "Control_L"},
        {"lctrl", "Control_L"},
        {"control_l", "Control_L"},
        {"ctrlright", "Control_R"},
        {"rctrl", "Control_R"},
        {"control_r", "Control_R"},
        {"shift", "Shift_L"},
        {"shiftleft", "Shift_L"},
        {"lshift", "Shift_L"},
        {"shift_l", "Shift_L"},
        {"shiftright", "Shift_R"},
        {"rshift", "Shift_R"},
        {"shift_r", "Shift_R"},
        {"alt", "Alt_L"},
        {"altleft", "Alt_L"},
        {"lalt", "Alt_L"},
        {"alt_l", "Alt_L"},
        {"option", "Alt_L"},
        {"optionleft", "Alt_L"},
        {"altright", "Alt_R"},
        {"ralt", "Alt_R"},
        {"alt_r", "Alt_R"},
        {"optionright", "Alt_R"},
        {"altgr", "ISO_Level3_Shift"},
        {"super", "Super_L"},
        {"super_l", "Super_L"},
        {"win", "Super_L"},
        {"winleft", "Super_L"},
        {"windows", "Super_L"},
        {"cmd", "Super_L"},
        {"command", "Super_L"},
        {"meta", "Super_L"},
        {"super_r", "Super_R"},
        {"winright", "Super_R"},
        // editing and navigation
        {"enter", "Return"},
        {"return", "Return"},
        {"kp_enter", "KP_Enter"},
        {"esc", "Escape"},
        {"escape", "Escape"},
        {"tab", "Tab"},
        {"space", "space"},
        {"backspace", "BackSpace"},
        {"back_space", "BackSpace"},
        {"delete", "Delete"},
        {"del", "Delete"},
        {"insert", "Insert"},
        {"ins", "Insert"},
        {"home", "Home"},
        {"end", "End"},
        {"pageup", "Page_Up"},
        {"page_up", "Page_Up"},
        {"pgup", "Page_Up"},
        {"prior", "Page_Up"},
        {"pagedown", "Page_Down"},
        {"page_down", "Page_Down"},
        {"pgdn", "Page_Down"},
        {"next", "Page_Down"},
        {"up", "Up"},
        {"down", "Down"},
        {"left", "Left"},
        {"right", "Right"},
        {"arrowup", "Up"},
        {"arrowdown", "Down"},
        {"arrowleft", "Left"},
        {"arrowright", "Right"},
        {"capslock", "Caps_Lock"},
        {"caps_lock", "Caps_Lock"},
        {"numlock", "Num_Lock"},
        {"num_lock", "Num_Lock"},
        {"scrolllock", "Scroll_Lock"},
        {"scroll_lock", "Scroll_Lock"},
        {"print", "Print"},
        {"printscreen", "Print"},
        {"prtsc", "Print"},
        {"prtscr", "Print"},
        {"prntscrn", "Print"},
        {"pause", "Pause"},
        {"break", "Break"},
        {"menu", "Menu"},
        {"apps", "Menu"},
        {"contextmenu", "Menu"},
        {"clear", "Clear"},
        {"help", "Help"},
        {"select", "Select"},
        {"execute", "Execute"},
        {"cancel", "Cancel"},
        {"undo", "Undo"},
        {"redo", "Redo"},
        {"find", "Find"},
        // keypad (pyautogui)
        {"num0", "KP_0"},
        {"num1", "KP_1"},
        {"num2", "KP_2"},
        {"num3", "KP_3"},
        {"num4", "KP_4"},
        {"num5", "KP_5"},
        {"num6", "KP_6"},
        {"num7", "KP_7"},
        {"num8", "KP_8"},
        {"num9", "KP_9"},
        {"add", "KP_Add"},
        {"subtract", "KP_Subtract"},
        {"multiply", "KP_Multiply"},
        {"divide", "KP_Divide"},
        {"decimal", "KP_Decimal"},
        {"separator", "KP_Separator"},
        // media and browser keys
        {"volumeup", "XF86AudioRaiseVolume"},
        {"volumedown", "XF86AudioLowerVolume"},
        {"volumemute", "XF86AudioMute"},
        {"playpause", "XF86AudioPlay"},
        {"stop", "XF86AudioStop"},
        {"nexttrack", "XF86AudioNext"},
        {"prevtrack", "XF86AudioPrev"},
        {"browserback", "XF86Back"},
        {"browserforward", "XF86Forward"},
        {"browserrefresh", "XF86Reload"},
        {"browserhome", "XF86HomePage"},
        {"browsersearch", "XF86Search"},
        {"browserstop", "XF86Stop"},
        {"browserfavorites", "XF86Favorites"},
        {"launchmail", "XF86Mail"},
        {"sleep", "XF86Sleep"},
        // names of printable keys
        {"plus", "plus"},
        {"minus", "minus"},
        {"comma", "comma"},
        {"period", "period"},
        {"slash", "slash"},
        {"backslash", "backslash"},
        {"semicolon", "semicolon"},
        {"apostrophe", "apostrophe"},
        {"quote", "apostrophe"},
        {"grave", "grave"},
        {"backquote", "grave"},
        {"equal", "equal"},
        {"equals", "equal"},
        {"bracketleft", "bracketleft"},
        {"bracketright", "bracketright"},
    };
    return table;
}

// Printable ASCII that is not its own keysym name.
std::string_view ascii_keysym(char c) {
    switch (c) {
        case ' ':
            return "space";
        case '!':
            return "exclam";
        case '"':
            return "quotedbl";
        case '#':
            return "numbersign";
        case '$':
            return "dollar";
        case '%':
            return "percent";
        case '&':
            return "ampersand";
        case '\'':
            return "apostrophe";
        case '(':
            return "parenleft";
        case ')':
            return "parenright";
        case '*':
            return "asterisk";
        case '+':
            return "plus";
        case ',':
            return "comma";
        case '-':
            return "minus";
        case '.':
            return "period";
        case '/':
            return "slash";
        case ':':
            return "colon";
        case ';':
            return "semicolon";
        case '<':
            return "less";
        case '=':
            return "equal";
        case '>':
            return "greater";
        case '?':
            return "question";
        case '@':
            return "at";
        case '[':
            return "bracketleft";
        case '\\':
            return "backslash";
        case ']':
            return "bracketright";
        case '^':
            return "asciicircum";
        case '_':
            return "underscore";
        case '`':
            return "grave";
        case '{':
            return "braceleft";
        case '|':
            return "bar";
        case '}':
            return "braceright";
        case '~':
            return "asciitilde";
        case '\t':
            return "Tab";
        case '\n':
        case '\r':
            return "Return";
        default:
            return {};
    }
}

// One UTF-8 encoded character → its code point, or -1 if `s` is not exactly one.
long single_code_point(std::string_view s) {
    if (s.empty()) return -1;
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t len;
    long cp;
    if (b[0] < 0x80) {
        len = 1;
        cp = b[0];
    } else if ((b[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = b[0] & 0x1F;
    } else if ((b[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = b[0] & 0x0F;
    } else if ((b[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = b[0] & 0x07;
    } else
        return -1;
    if (s.size() != len) return -1;
    for (std::size_t i = 1; i < len; ++i) {
        if ((b[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (b[i] & 0x3F);
    }
    return cp;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

std::string printable(std::string_view name) {
    // For error messages: keep it short and free of control bytes.
    std::string out = utf8_prefix(name, kMaxKeyName);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::string key_to_keysym(std::string_view name) {
    if (name.empty()) throw KeyError("empty key name");
    if (name.size() > kMaxKeyName) throw KeyError("key name '" + printable(name) + "' is too long");
    if (name.size() == 1) {
        const char c = name[0];
        if (const auto sym = ascii_keysym(c); !sym.empty()) return std::string(sym);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return std::string(name);
        throw KeyError("unknown key '" + printable(name) + "'");
    }
    if (const long cp = single_code_point(name); cp >= 0xA0 && cp <= 0x10FFFF) {
        // One non-ASCII character: Latin-1 by its keysym name (é → eacute),
        // anything else as the Unicode keysym "Uxxxx" (中 → U4E2D). Not
        // XKeysymToString for those: for a Unicode keysym without a table
        // name libX11 mallocs that same "Uxxxx" and the caller can never
        // free it (a leak the sanitizer run reports).
        if (cp <= 0xFF)
            if (const char* latin1 = XKeysymToString(static_cast<KeySym>(cp))) return latin1;
        char buf[16];
        std::snprintf(buf, sizeof buf, "U%04lX", cp);
        return buf;
    }
    const std::string folded = lower(name);
    if (auto it = aliases().find(folded); it != aliases().end()) return std::string(it->second);
    const std::string exact(name);
    if (XStringToKeysym(exact.c_str()) != NoSymbol) return exact;
    // Function keys in any case: f1..f35.
    if (folded.size() >= 2 && folded[0] == 'f' && folded.find_first_not_of("0123456789", 1) == std::string::npos) {
        const int n = std::stoi(folded.substr(1));
        if (n >= 1 && n <= 35) return "F" + std::to_string(n);
    }
    throw KeyError("unknown key '" + printable(name) + "'");
}

std::vector<std::string> parse_chord(std::string_view chord) {
    std::vector<std::string> keys;
    std::string_view rest = trim(chord);
    if (rest.empty()) throw KeyError("empty key name");
    if (rest == "+") return {"plus"};
    bool trailing_plus = false;
    if (rest.size() >= 2 && rest.substr(rest.size() - 2) == "++") {
        trailing_plus = true;
        rest.remove_suffix(2);
    }
    while (!rest.empty()) {
        const std::size_t plus = rest.find('+');
        const std::string_view token = trim(rest.substr(0, plus));
        if (token.empty()) throw KeyError("empty key name in '" + printable(chord) + "'");
        keys.push_back(key_to_keysym(token));
        if (plus == std::string_view::npos) break;
        rest.remove_prefix(plus + 1);
        if (rest.empty()) throw KeyError("empty key name in '" + printable(chord) + "'");
    }
    if (trailing_plus) keys.push_back("plus");
    if (keys.size() > kMaxChordKeys)
        throw KeyError("chord '" + printable(chord) + "' has more than " + std::to_string(kMaxChordKeys) + " keys");
    return keys;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t cut = max_bytes;
    // Step back over continuation bytes so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

bool is_modifier_keysym(std::string_view keysym) {
    static constexpr std::string_view prefixes[] = {"Control_", "Shift_", "Alt_", "Super_", "Meta_", "Hyper_"};
    for (auto p : prefixes)
        if (keysym.substr(0, p.size()) == p) return true;
    return keysym == "ISO_Level3_Shift";
}

}  // namespace deskbox
