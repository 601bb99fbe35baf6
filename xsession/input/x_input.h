// Synthetic input through XTest: pointer motion, buttons, wheel, key chords
// and exact Unicode typing (xsession/input/keymap binds keysyms the layout
// lacks). Coordinates here are screen pixels; scaling lives in the Desktop.
#pragma once

#include <X11/Xlib.h>

#include <set>
#include <string>
#include <vector>

#include "xsession/input/keymap.h"

namespace deskbox {

class XInput {
public:
    // Throws deskbox::Error when the server lacks the XTEST extension.
    explicit XInput(Display* display);
    ~XInput();  // releases keys and buttons still held
    XInput(const XInput&) = delete;
    XInput& operator=(const XInput&) = delete;

    void move(int x, int y);
    // X button numbers: 1 left, 2 middle, 3 right, 4/5 wheel up/down, 6/7 left/right, 8 back, 9 forward.
    void button(unsigned int button, bool down);
    void click(unsigned int button, int count);
    // Wheel clicks: + down / right.
    void scroll(int dx, int dy);

    // Keysym names ("ctrl" etc. are the protocol layer's business; these are X names).
    KeySym resolve(const std::string& name) { return keysym_from_name(name); }
    void key(KeySym keysym, bool down);
    // Presses all, in order; releases in reverse.
    void chord(const std::vector<std::string>& names);
    void press_names(const std::vector<std::string>& names);
    void release_names(const std::vector<std::string>& names);  // in reverse order

    // Types the text exactly: '\n' is Return, '\t' Tab, '\r' ignored. Sent in
    // chunks of `chunk` characters with a round trip after each, so that a huge
    // text never floods the server's queue. Invalid UTF-8 is an error.
    void type_text(const std::string& utf8, std::size_t chunk = 64);

    // Waits for the server to have handled everything sent.
    void sync();
    void release_all();
    const Keymap& keymap() const { return keymap_; }

private:
    void key_stroke(const KeyStroke& stroke, bool down);

    Display* display_;
    Keymap keymap_;
    std::set<KeyCode> keys_down_;
    std::set<unsigned int> buttons_down_;
};

}  // namespace deskbox
