// One key table for every dialect: xdotool keysym names joined by '+'
// ("ctrl+shift+t", "Return", "KP_0"), OpenAI's uppercase names ("CTRL",
// "ENTER", "ARROWLEFT"), pyautogui names ("enter", "pgdn", "win", "command"),
// single characters ("a", "A", "/", "é") all map to X keysym names
// ("Control_L", "Return", "slash", "eacute" / "U00E9"). An unknown key is an
// error naming it, never a guess.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/error.h"

namespace deskbox {

// Thrown for a key name no convention knows; what() is "unknown key 'NAME'".
class KeyError : public Error {
public:
    explicit KeyError(const std::string& message) : Error(message) {}
};

constexpr std::size_t kMaxKeyName = 64;   // bytes of one key name
constexpr std::size_t kMaxChordKeys = 8;  // keys pressed together

// One key, in any convention, to its X keysym name. Not trimmed: " " is space.
std::string key_to_keysym(std::string_view name);

// "ctrl+shift+t" → {"Control_L", "Shift_L", "t"}; "+" and "ctrl++" mean the
// plus key. Spaces around names are ignored. Throws KeyError.
std::vector<std::string> parse_chord(std::string_view chord);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with
// "..." appended when cut: for quoting agent-supplied names in errors.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// True for Control/Shift/Alt/Super/Meta/Hyper keysyms.
bool is_modifier_keysym(std::string_view keysym);

}  // namespace deskbox
