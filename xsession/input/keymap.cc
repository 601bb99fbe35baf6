#include "xsession/input/keymap.h"

#include <X11/XKBlib.h>
#include <X11/keysym.h>

#include <algorithm>

#include "supervisor/base/error.h"

namespace deskbox {

KeySym keysym_from_name(const std::string& name) {
    if (name.empty() || name.size() > 64) throw Error("unknown key '" + name.substr(0, 64) + "'");
    const KeySym keysym = XStringToKeysym(name.c_str());
    if (keysym == NoSymbol) throw Error("unknown key '" + name + "'");
    return keysym;
}

KeySym keysym_for_codepoint(char32_t codepoint) {
    // Latin-1 characters have keysyms equal to their code points; everything
    // else uses the Unicode keysym range, which toolkits map back to the character.
    if ((codepoint >= 0x20 && codepoint <= 0x7e) || (codepoint >= 0xa0 && codepoint <= 0xff)) return codepoint;
    return 0x01000000 | codepoint;
}

std::u32string decode_utf8(const std::string& text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        int length = 0;
        char32_t cp = 0;
        if (byte < 0x80) {
            length = 1;
            cp = byte;
        } else if ((byte & 0xe0) == 0xc0) {
            length = 2;
            cp = byte & 0x1f;
        } else if ((byte & 0xf0) == 0xe0) {
            length = 3;
            cp = byte & 0x0f;
        } else if ((byte & 0xf8) == 0xf0) {
            length = 4;
            cp = byte & 0x07;
        } else {
            throw Error("text is not valid UTF-8 at byte " + std::to_string(i));
        }
        if (i + static_cast<std::size_t>(length) > text.size()) {
            throw Error("text is not valid UTF-8 at byte " + std::to_string(i));
        }
        for (int k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((next & 0xc0) != 0x80) throw Error("text is not valid UTF-8 at byte " + std::to_string(i));
            cp = (cp << 6) | (next & 0x3f);
        }
        static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            throw Error("text is not valid UTF-8 at byte " + std::to_string(i));
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(length);
    }
    return out;
}

Keymap::Keymap(Display* display) : display_(display) {
    load();
}

Keymap::~Keymap() {
    // Unbind what we bound so that the map is as we found it.
    for (const auto& [keysym, keycode] : bound_) {
        KeySym none[2] = {NoSymbol, NoSymbol};
        XChangeKeyboardMapping(display_, keycode, 2, none, 1);
    }
    if (!bound_.empty()) XSync(display_, False);
}

void Keymap::load() {
    XDisplayKeycodes(display_, &min_keycode_, &max_keycode_);
    int per_keycode = 0;
    const int count = max_keycode_ - min_keycode_ + 1;
    KeySym* syms = XGetKeyboardMapping(display_, static_cast<KeyCode>(min_keycode_), count, &per_keycode);
    if (!syms) throw Error("reading the keyboard mapping of the display");
    for (int i = 0; i < count; ++i) {
        bool empty = true;
        for (int level = 0; level < per_keycode; ++level) {
            if (syms[i * per_keycode + level] != NoSymbol) empty = false;
        }
        // Keycode 255 and friends are sometimes reserved by toolkits; any empty one works.
        if (empty) spares_.push_back(static_cast<KeyCode>(min_keycode_ + i));
    }
    XFree(syms);
    shift_ = XKeysymToKeycode(display_, XK_Shift_L);
    for (KeyCode kc : spares_) lru_.push_back(kc);
}

KeyStroke Keymap::stroke_for(KeySym keysym) {
    if (auto it = bound_.find(keysym); it != bound_.end()) {
        lru_.remove(it->second);
        lru_.push_back(it->second);
        return {it->second, false};
    }
    const KeyCode keycode = XKeysymToKeycode(display_, keysym);
    if (keycode != 0) {
        if (XkbKeycodeToKeysym(display_, keycode, 0, 0) == keysym) return {keycode, false};
        if (XkbKeycodeToKeysym(display_, keycode, 0, 1) == keysym && shift_ != 0) return {keycode, true};
        // Only on a level we do not drive (AltGr, another group): bind it instead.
    }
    return bind_spare(keysym);
}

KeyStroke Keymap::bind_spare(KeySym keysym) {
    if (lru_.empty()) throw Error("no spare keycode left to type keysym " + std::to_string(keysym));
    const KeyCode keycode = lru_.front();
    lru_.pop_front();
    lru_.push_back(keycode);
    for (auto it = bound_.begin(); it != bound_.end(); ++it) {
        if (it->second == keycode) {
            bound_.erase(it);
            break;
        }
    }
    // The same keysym on both levels: Shift or Caps Lock cannot change it.
    KeySym syms[2] = {keysym, keysym};
    XChangeKeyboardMapping(display_, keycode, 2, syms, 1);
    bound_[keysym] = keycode;
    ++remaps_;
    return {keycode, false};
}

}  // namespace deskbox
