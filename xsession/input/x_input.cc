#include "xsession/input/x_input.h"

#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#include <cstring>

#include "supervisor/base/error.h"
#include "xsession/display/window_manager.h"

namespace deskbox {
namespace {

// Generous: a loaded machine's window manager can be slow; an idle one answers in ~1 ms.
constexpr Millis kWindowManagerAnswer(5000);

}  // namespace

XInput::XInput(Display* display) : display_(display), keymap_(display) {
    int event_base = 0, error_base = 0, major = 0, minor = 0;
    if (!XTestQueryExtension(display_, &event_base, &error_base, &major, &minor)) {
        throw Error("the X server has no XTEST extension: synthetic input is impossible");
    }
}

XInput::~XInput() {
    release_all();
}

void XInput::move(int x, int y) {
    XTestFakeMotionEvent(display_, -1, x, y, CurrentTime);
}

void XInput::button(unsigned int button, bool down) {
    if (button < 1 || button > 9) throw Error("mouse button " + std::to_string(button) + " does not exist");
    XTestFakeButtonEvent(display_, button, down ? True : False, CurrentTime);
    if (down) {
        buttons_down_.insert(button);
    } else {
        buttons_down_.erase(button);
    }
}

void XInput::click(unsigned int button_number, int count) {
    for (int i = 0; i < count; ++i) {
        button(button_number, true);
        button(button_number, false);
    }
    // The wheel is not grabbed; a button click may be, by the window manager:
    // keys sent next must not overtake it (window_manager.h).
    if (button_number < 4 || button_number > 7) sync_with_window_manager(display_, kWindowManagerAnswer);
}

void XInput::scroll(int dx, int dy) {
    if (dy != 0) click(dy > 0 ? 5 : 4, dy > 0 ? dy : -dy);
    if (dx != 0) click(dx > 0 ? 7 : 6, dx > 0 ? dx : -dx);
}

void XInput::key_stroke(const KeyStroke& stroke, bool down) {
    if (stroke.shift && down) XTestFakeKeyEvent(display_, keymap_.shift_keycode(), True, CurrentTime);
    XTestFakeKeyEvent(display_, stroke.keycode, down ? True : False, CurrentTime);
    if (stroke.shift && !down) XTestFakeKeyEvent(display_, keymap_.shift_keycode(), False, CurrentTime);
    if (down) {
        keys_down_.insert(stroke.keycode);
    } else {
        keys_down_.erase(stroke.keycode);
    }
}

void XInput::key(KeySym keysym, bool down) {
    key_stroke(keymap_.stroke_for(keysym), down);
}

void XInput::press_names(const std::vector<std::string>& names) {
    // Resolve every name first: an unknown key must fail before anything is pressed.
    std::vector<KeySym> keysyms;
    for (const auto& name : names) keysyms.push_back(keysym_from_name(name));
    for (KeySym keysym : keysyms) key(keysym, true);
}

void XInput::release_names(const std::vector<std::string>& names) {
    std::vector<KeySym> keysyms;
    for (const auto& name : names) keysyms.push_back(keysym_from_name(name));
    for (auto it = keysyms.rbegin(); it != keysyms.rend(); ++it) key(*it, false);
}

void XInput::chord(const std::vector<std::string>& names) {
    if (names.empty()) throw Error("empty key chord");
    press_names(names);
    release_names(names);
}

void XInput::type_text(const std::string& utf8, std::size_t chunk) {
    std::u32string text = decode_utf8(utf8);
    // The text may be a secret (type_secret): the decoded copy is wiped on every way out.
    struct Wipe {
        std::u32string& s;
        ~Wipe() {
            if (!s.empty()) explicit_bzero(s.data(), s.size() * sizeof(char32_t));
        }
    } wipe{text};
    if (chunk == 0) chunk = 64;
    std::size_t in_chunk = 0;
    for (char32_t cp : text) {
        KeySym keysym;
        if (cp == U'\n') {
            keysym = XK_Return;
        } else if (cp == U'\t') {
            keysym = XK_Tab;
        } else if (cp == U'\r') {
            continue;
        } else if (cp < 0x20 || cp == 0x7f) {
            throw Error("cannot type control character U+" + std::to_string(static_cast<unsigned>(cp)));
        } else {
            keysym = keysym_for_codepoint(cp);
        }
        const KeyStroke stroke = keymap_.stroke_for(keysym);
        key_stroke(stroke, true);
        key_stroke(stroke, false);
        if (++in_chunk == chunk) {
            sync();
            in_chunk = 0;
        }
    }
    sync();
}

void XInput::sync() {
    XSync(display_, False);
}

void XInput::release_all() {
    for (KeyCode kc : std::set<KeyCode>(keys_down_)) XTestFakeKeyEvent(display_, kc, False, CurrentTime);
    keys_down_.clear();
    for (unsigned int b : std::set<unsigned int>(buttons_down_)) XTestFakeButtonEvent(display_, b, False, CurrentTime);
    buttons_down_.clear();
    XSync(display_, False);
}

}  // namespace deskbox
