// Reading fields of an agent request with types, ranges and size limits.
// Every helper throws ProtocolError naming the field, so a malformed request
// gets an exact error ("field 'coordinate' must be [x, y] integers").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/control/jsonl_channel.h"
#include "supervisor/control/protocol_error.h"
#include "xsession/actions/action.h"

namespace deskbox {

// Limits on what one request may ask for (docs/protocol.md, "Limits").
constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxTextBytes = 100'000;       // one type / type_into
constexpr std::size_t kMaxNameBytes = 512;           // role, name, app, window, regexes
constexpr std::size_t kMaxPathPoints = 256;          // drag path
constexpr std::size_t kMaxBatch = 32;                // OpenAI batched actions
constexpr std::size_t kMaxKeySequence = 16;          // chords in one xdotool key string
constexpr long kMaxKeyRepeat = 100;                  // key presses of one toolset `key` (repeat x chords)
constexpr std::size_t kMaxSafetyChecks = 16;         // OpenAI pending_safety_checks on one call
constexpr std::size_t kMaxSafetyCheckText = 4096;    // bytes of one check's code or message
constexpr std::size_t kMaxCodeSteps = 128;           // normalized actions from one pyautogui request
constexpr int kMaxScrollClicks = 100;                // per axis, one action
constexpr long kMaxDurationMs = 300'000;             // wait / hold_key
constexpr std::size_t kMaxUploadBytes = 512u << 10;  // decoded bytes of one inline upload (fits a 1 MiB line)
constexpr std::size_t kMaxUploadPathBytes = 4096;    // PATH_MAX

// The agent's coordinate space: [0, width) x [0, height).
struct CoordinateSpace {
    int width = 0;
    int height = 0;
};

class Fields {
public:
    Fields(const Json& object, CoordinateSpace space) : object_(object), space_(space) {}

    bool has(std::string_view key) const;
    const Json* find(std::string_view key) const;

    std::string string(std::string_view key, std::size_t max_bytes) const;  // required
    std::optional<std::string> opt_string(std::string_view key, std::size_t max_bytes) const;
    long integer(std::string_view key, long min, long max) const;  // required
    std::optional<long> opt_integer(std::string_view key, long min, long max) const;
    std::optional<double> opt_number(std::string_view key, double min, double max) const;
    std::optional<bool> opt_bool(std::string_view key) const;

    // [x, y] (Anthropic) inside the coordinate space.
    std::optional<Point> opt_coordinate_pair(std::string_view key) const;
    // Separate x and y fields (OpenAI: integers; OSWorld: numbers, rounded).
    std::optional<Point> opt_xy(std::string_view x_key, std::string_view y_key, bool allow_fractions) const;
    Point point(int x, int y, std::string_view what) const;  // range check

    CoordinateSpace space() const { return space_; }
    const Json& object() const { return object_; }

private:
    const Json& object_;
    CoordinateSpace space_;
};

// Seconds (Anthropic/OSWorld durations) to milliseconds, range-checked.
Millis seconds_field(const Fields& f, std::string_view key, Millis fallback);

// A key string in xdotool syntax: chords separated by spaces ("ctrl+a Delete").
std::vector<std::vector<std::string>> parse_key_sequence(std::string_view text, std::string_view field);
// One chord; KeyError becomes ProtocolError("unknown_key").
std::vector<std::string> chord_or_error(std::string_view chord);
std::string key_or_error(std::string_view key);

std::string json_type_name(const Json& value);

// The same error with the field named by its path inside the request
// ("field 'coordinate'" -> "field 'input.coordinate'" for prefix "input.").
ProtocolError with_field_path(const ProtocolError& error, std::string_view prefix);

}  // namespace deskbox
