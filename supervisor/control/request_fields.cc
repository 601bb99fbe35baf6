#include "supervisor/control/request_fields.h"

#include <cmath>

#include "xsession/actions/keys.h"

namespace deskbox {
namespace {

std::string quoted(std::string_view key) {
    return "field '" + std::string(key) + "'";
}

[[noreturn]] void bad_type(std::string_view key, const char* expected, const Json& value) {
    throw ProtocolError("invalid_field", quoted(key) + " must be " + expected + ", got " + json_type_name(value));
}

// An integer-valued JSON number (1 and 1.0 both count), or nullopt.
std::optional<long> as_integer(const Json& v) {
    if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<unsigned long>() > static_cast<unsigned long>(LONG_MAX)) return LONG_MAX;
        return v.get<long>();
    }
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return static_cast<long>(d);
    }
    return std::nullopt;
}

}  // namespace

std::string json_type_name(const Json& value) {
    if (value.is_object()) return "an object";
    if (value.is_array()) return "an array";
    if (value.is_string()) return "a string";
    if (value.is_boolean()) return "a boolean";
    if (value.is_null()) return "null";
    if (value.is_number_integer()) return "an integer";
    if (value.is_number()) return "a number";
    return "a value";
}

ProtocolError with_field_path(const ProtocolError& error, std::string_view prefix) {
    std::string message = error.what();
    if (const auto at = message.find("field '"); at != std::string::npos) message.insert(at + 7, prefix);
    return ProtocolError(error.code(), message);
}

bool Fields::has(std::string_view key) const {
    return find(key) != nullptr;
}

const Json* Fields::find(std::string_view key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
}

std::optional<std::string> Fields::opt_string(std::string_view key, std::size_t max_bytes) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) bad_type(key, "a string", *v);
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_bytes)
        throw ProtocolError("too_large", quoted(key) + " is " + std::to_string(s.size()) + " bytes, more than the " +
                                             std::to_string(max_bytes) + " allowed");
    return s;
}

std::string Fields::string(std::string_view key, std::size_t max_bytes) const {
    auto s = opt_string(key, max_bytes);
    if (!s) throw ProtocolError("missing_field", quoted(key) + " is required");
    return *s;
}

std::optional<long> Fields::opt_integer(std::string_view key, long min, long max) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    const auto n = as_integer(*v);
    if (!n) bad_type(key, "an integer", *v);
    if (*n < min || *n > max)
        throw ProtocolError("out_of_range", quoted(key) + " is " + std::to_string(*n) + ", outside " +
                                                std::to_string(min) + ".." + std::to_string(max));
    return n;
}

long Fields::integer(std::string_view key, long min, long max) const {
    auto n = opt_integer(key, min, max);
    if (!n) throw ProtocolError("missing_field", quoted(key) + " is required");
    return *n;
}

std::optional<double> Fields::opt_number(std::string_view key, double min, double max) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) bad_type(key, "a number", *v);
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < min || d > max)
        throw ProtocolError("out_of_range", quoted(key) + " is outside " + std::to_string(static_cast<long>(min)) +
                                                ".." + std::to_string(static_cast<long>(max)));
    return d;
}

std::optional<bool> Fields::opt_bool(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) bad_type(key, "a boolean", *v);
    return v->get<bool>();
}

Point Fields::point(int x, int y, std::string_view what) const {
    if (x < 0 || y < 0 || x >= space_.width || y >= space_.height)
        throw ProtocolError("out_of_range", std::string(what) + " (" + std::to_string(x) + ", " + std::to_string(y) +
                                                ") is outside the screen (" + std::to_string(space_.width) + "x" +
                                                std::to_string(space_.height) + ")");
    return Point{x, y};
}

std::optional<Point> Fields::opt_coordinate_pair(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_array() || v->size() != 2) bad_type(key, "[x, y]", *v);
    const auto x = as_integer((*v)[0]);
    const auto y = as_integer((*v)[1]);
    if (!x || !y) throw ProtocolError("invalid_field", quoted(key) + " must be [x, y] integers");
    if (*x < INT32_MIN || *x > INT32_MAX || *y < INT32_MIN || *y > INT32_MAX)
        throw ProtocolError("out_of_range", quoted(key) + " is outside the screen");
    return point(static_cast<int>(*x), static_cast<int>(*y), quoted(key));
}

std::optional<Point> Fields::opt_xy(std::string_view x_key, std::string_view y_key, bool allow_fractions) const {
    const Json* xv = find(x_key);
    const Json* yv = find(y_key);
    if (!xv && !yv) return std::nullopt;
    if (!xv || !yv)
        throw ProtocolError("missing_field",
                            "fields '" + std::string(x_key) + "' and '" + std::string(y_key) + "' go together");
    long coords[2];
    const Json* vals[2] = {xv, yv};
    const std::string_view keys[2] = {x_key, y_key};
    for (int i = 0; i < 2; ++i) {
        std::optional<long> n = as_integer(*vals[i]);
        if (!n && allow_fractions && vals[i]->is_number()) {
            const double d = vals[i]->get<double>();
            if (std::isfinite(d) && std::fabs(d) < 1e9) n = std::lround(d);
        }
        if (!n) bad_type(keys[i], allow_fractions ? "a number" : "an integer", *vals[i]);
        if (*n < INT32_MIN || *n > INT32_MAX) *n = INT32_MAX;
        coords[i] = *n;
    }
    return point(static_cast<int>(coords[0]), static_cast<int>(coords[1]),
                 "point (" + std::string(x_key) + ", " + std::string(y_key) + ")");
}

Millis seconds_field(const Fields& f, std::string_view key, Millis fallback) {
    const auto s = f.opt_number(key, 0, kMaxDurationMs / 1000.0);
    if (!s) return fallback;
    return Millis(std::lround(*s * 1000.0));
}

std::string key_or_error(std::string_view key) {
    try {
        return key_to_keysym(key);
    } catch (const KeyError& e) {
        throw ProtocolError("unknown_key", e.what());
    }
}

std::vector<std::string> chord_or_error(std::string_view chord) {
    try {
        return parse_chord(chord);
    } catch (const KeyError& e) {
        throw ProtocolError("unknown_key", e.what());
    }
}

std::vector<std::vector<std::string>> parse_key_sequence(std::string_view text, std::string_view field) {
    std::vector<std::vector<std::string>> chords;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t next = text.find(' ', pos);
        const std::string_view token = text.substr(pos, next == std::string_view::npos ? next : next - pos);
        if (!token.empty()) {
            if (chords.size() == kMaxKeySequence)
                throw ProtocolError(
                    "too_large", quoted(field) + " has more than " + std::to_string(kMaxKeySequence) + " key chords");
            chords.push_back(chord_or_error(token));
        }
        if (next == std::string_view::npos) break;
        pos = next + 1;
    }
    if (chords.empty()) throw ProtocolError("missing_field", quoted(field) + " names no key");
    return chords;
}

}  // namespace deskbox
