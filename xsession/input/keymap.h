// Keysyms to keycodes on the session's keyboard, for any layout: a keysym on
// the map is pressed with the level (Shift) it needs; one that is not on the
// map is bound to a spare keycode (one with no symbols) and kept there, so
// that the next use needs no remapping. Spare keycodes are reused least
// recently used first, which keeps a client that reads the map lazily from
// seeing a keycode change meaning under a key event it has not handled yet.
#pragma once

#include <X11/Xlib.h>

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <vector>

namespace deskbox {

struct KeyStroke {
    KeyCode keycode = 0;
    bool shift = false;  // the keysym is on the shifted level
};

// XStringToKeysym, accepting only real keysym names. Throws deskbox::Error
// "unknown key 'foo'" for anything else.
KeySym keysym_from_name(const std::string& name);

// The keysym that types one Unicode code point ('\n' and '\t' excluded).
KeySym keysym_for_codepoint(char32_t codepoint);

// UTF-8 to code points; throws deskbox::Error on invalid UTF-8 (naming the byte offset).
std::u32string decode_utf8(const std::string& text);

class Keymap {
public:
    explicit Keymap(Display* display);
    ~Keymap();  // gives the spare keycodes back their empty meaning
    Keymap(const Keymap&) = delete;
    Keymap& operator=(const Keymap&) = delete;

    // Finds or binds a keycode for the keysym. Throws when no keycode is left.
    KeyStroke stroke_for(KeySym keysym);
    KeyCode shift_keycode() const { return shift_; }
    // Remappings done so far (for tests and benchmarks).
    std::uint64_t remap_count() const { return remaps_; }

private:
    void load();
    KeyStroke bind_spare(KeySym keysym);

    Display* display_;
    int min_keycode_ = 8, max_keycode_ = 255;
    KeyCode shift_ = 0;
    std::vector<KeyCode> spares_;
    std::map<KeySym, KeyCode> bound_;  // keysym -> spare keycode holding it
    std::list<KeyCode> lru_;           // spare keycodes, least recently used first
    std::uint64_t remaps_ = 0;
};

}  // namespace deskbox
