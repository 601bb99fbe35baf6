#include "supervisor/base/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace deskbox {
namespace {

// Splits "1.5G" into 1.5 and "G". Rejects signs, exponents, spaces, empty numbers.
bool split_number(std::string_view text, double& number, std::string_view& suffix) {
    std::size_t i = 0;
    bool digits = false, dot = false;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
        if (text[i] == '.')
            dot = true;
        else
            digits = true;
        ++i;
    }
    if (!digits) return false;
    std::string num(text.substr(0, i));
    char* end = nullptr;
    number = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size() || !std::isfinite(number)) return false;
    suffix = text.substr(i);
    return true;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
    double number = 0;
    std::string_view suffix;
    if (!split_number(text, number, suffix)) return std::nullopt;
    double multiplier = 1;
    if (suffix.empty() || suffix == "B")
        multiplier = 1;
    else if (suffix == "K" || suffix == "k" || suffix == "KiB")
        multiplier = 1024.0;
    else if (suffix == "M" || suffix == "MiB")
        multiplier = 1024.0 * 1024;
    else if (suffix == "G" || suffix == "GiB")
        multiplier = 1024.0 * 1024 * 1024;
    else if (suffix == "T" || suffix == "TiB")
        multiplier = 1024.0 * 1024 * 1024 * 1024;
    else
        return std::nullopt;
    const double bytes = number * multiplier;
    if (bytes >= static_cast<double>(std::numeric_limits<std::uint64_t>::max())) return std::nullopt;
    if (suffix.empty() && std::floor(number) != number) return std::nullopt;  // "1.5" bytes
    return static_cast<std::uint64_t>(bytes);
}

std::optional<Millis> parse_duration(std::string_view text) {
    double number = 0;
    std::string_view suffix;
    if (!split_number(text, number, suffix)) return std::nullopt;
    double ms_per_unit = 0;
    if (suffix == "ms")
        ms_per_unit = 1;
    else if (suffix.empty() || suffix == "s")
        ms_per_unit = 1000;
    else if (suffix == "m" || suffix == "min")
        ms_per_unit = 60'000;
    else if (suffix == "h")
        ms_per_unit = 3'600'000;
    else if (suffix == "d")
        ms_per_unit = 86'400'000;
    else
        return std::nullopt;
    const double ms = number * ms_per_unit;
    if (ms > 1e15) return std::nullopt;
    return Millis(static_cast<long long>(std::llround(ms)));
}

std::string format_size(std::uint64_t bytes) {
    static const char* units[] = {"", "K", "M", "G", "T"};
    int u = 0;
    std::uint64_t value = bytes;
    while (u < 4 && value >= 1024 && value % 1024 == 0) {
        value /= 1024;
        ++u;
    }
    return std::to_string(value) + units[u];
}

std::string format_duration(Millis d) {
    const long long ms = d.count();
    if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms % 60'000 == 0 && ms != 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

}  // namespace deskbox
