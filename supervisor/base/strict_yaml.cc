#include "supervisor/base/strict_yaml.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "supervisor/base/host_pattern.h"

namespace deskbox {

namespace {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t first_invalid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return i;
        for (int k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
        if (len == 2 && c < 0xC2) return i;  // overlong
        i += len;
    }
    return std::string::npos;
}

void position_of(const std::string& s, std::size_t offset, int& line, int& column) {
    line = 1;
    column = 1;
    for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace

YAML::Node load_yaml_text(const std::string& text, const std::string& display_name, std::uint64_t max_bytes) {
    if (text.size() > max_bytes)
        throw InputError(display_name, 1, 1,
                         "file is " + std::to_string(text.size()) + " bytes, larger than the limit of " +
                             std::to_string(max_bytes) + " bytes");
    int line = 0, column = 0;
    if (auto nul = text.find('\0'); nul != std::string::npos) {
        position_of(text, nul, line, column);
        throw InputError(display_name, line, column, "NUL byte: this is not a YAML text file");
    }
    if (auto bad = first_invalid_utf8(text); bad != std::string::npos) {
        position_of(text, bad, line, column);
        throw InputError(display_name, line, column, "invalid UTF-8");
    }
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        // yaml-cpp marks are 0-based; its own message repeats the position, so use e.msg.
        throw InputError(display_name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    }
}

std::string read_bounded_file(const std::filesystem::path& file, const std::string& what, std::uint64_t max_bytes) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read " + what + " " + file.string() + ": " + errno_text(errno));
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes) break;  // load_yaml_text reports the limit
    }
    if (in.bad()) throw Error("cannot read " + what + " " + file.string() + ": " + errno_text(errno));
    return text;
}

YAML::Node load_yaml_file(const std::filesystem::path& file, std::uint64_t max_bytes) {
    return load_yaml_text(read_bounded_file(file, "file", max_bytes), file.string(), max_bytes);
}

void YamlContext::fail(const YAML::Node& at, const std::string& message) const {
    const auto mark = at.Mark();
    const int line = mark.line >= 0 ? mark.line + 1 : 1;
    const int column = mark.column >= 0 ? mark.column + 1 : 1;
    throw InputError(file, line, column, message);
}

std::string describe_node(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Scalar: {
            std::string s = node.Scalar();
            if (s.size() > 40) s = s.substr(0, 37) + "...";
            return "'" + s + "'";
        }
        default:
            return "nothing";
    }
}

std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (!best || d < best_distance) {
            best = c;
            best_distance = d;
        }
    }
    // A plausible typo: at most a third of the word differs (and never more than 3 edits).
    if (best && best_distance <= std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3))) return best;
    return std::nullopt;
}

StrictMap::StrictMap(const YamlContext& ctx, const YAML::Node& node, std::string where)
    : ctx_(ctx), node_(node), where_(std::move(where)) {
    if (!node_.IsMap())
        ctx_.fail(node_, (where_.empty() ? std::string("document") : where_) + ": expected a mapping, got " +
                             describe_node(node_));
}

bool StrictMap::has(std::string_view key) const {
    for (const auto& kv : node_)
        if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
    return false;
}

YAML::Node StrictMap::get(std::string_view key) {
    seen_.emplace(key);
    for (const auto& kv : node_)
        if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    return YAML::Node(YAML::NodeType::Undefined);
}

std::string StrictMap::path_of(std::string_view key) const {
    return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
}

YAML::Node StrictMap::require(std::string_view key) {
    YAML::Node child = get(key);
    if (!child.IsDefined()) ctx_.fail(node_, "missing required key '" + path_of(key) + "'");
    return child;
}

void StrictMap::finish(std::initializer_list<std::string_view> also_known) {
    std::vector<std::string> known(seen_.begin(), seen_.end());
    for (auto k : also_known) known.emplace_back(k);
    for (const auto& kv : node_) {
        if (!kv.first.IsScalar()) ctx_.fail(kv.first, "keys must be plain words, got " + describe_node(kv.first));
        const std::string& key = kv.first.Scalar();
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        std::string message = "unknown key '" + key + "'" + (where_.empty() ? "" : " in '" + where_ + "'");
        if (auto near = nearest_word(key, known)) {
            message += " (did you mean '" + *near + "'?)";
        } else {
            std::sort(known.begin(), known.end());
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            message += " (known keys: " + list + ")";
        }
        ctx_.fail(kv.first, message);
    }
    // Duplicate keys: yaml-cpp keeps both; refuse them rather than pick one silently.
    std::set<std::string> keys;
    for (const auto& kv : node_)
        if (!keys.insert(kv.first.Scalar()).second)
            ctx_.fail(kv.first, "duplicate key '" + path_of(kv.first.Scalar()) + "'");
}

std::string read_string(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) ctx.fail(node, what + ": expected a string, got " + describe_node(node));
    return node.Scalar();
}

std::vector<std::string> read_string_list(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
    if (!node.IsSequence()) ctx.fail(node, what + ": expected a list of strings, got " + describe_node(node));
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const auto& item : node) out.push_back(read_string(ctx, item, what + "[" + std::to_string(i++) + "]"));
    return out;
}

std::string read_host_pattern(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
    std::string text = read_string(ctx, node, what);
    std::string why;
    if (!HostPattern::parse(text, &why)) ctx.fail(node, what + ": '" + text + "' is not a host pattern: " + why);
    return text;
}

std::string StrictMap::string(std::string_view key, const std::string& fallback) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    return read_string(ctx_, n, path_of(key));
}

std::string StrictMap::required_string(std::string_view key) {
    YAML::Node n = require(key);
    std::string s = read_string(ctx_, n, path_of(key));
    if (s.empty()) ctx_.fail(n, path_of(key) + ": must not be empty");
    return s;
}

std::int64_t StrictMap::integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    std::int64_t value = 0;
    if (!n.IsScalar() || !YAML::convert<std::int64_t>::decode(n, value))
        ctx_.fail(n, path_of(key) + ": expected a whole number, got " + describe_node(n));
    if (value < min || value > max)
        ctx_.fail(n, path_of(key) + ": " + std::to_string(value) + " is out of range (expected " + std::to_string(min) +
                         ".." + std::to_string(max) + ")");
    return value;
}

double StrictMap::number(std::string_view key, double fallback, double min, double max) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    double value = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, value) || !std::isfinite(value))
        ctx_.fail(n, path_of(key) + ": expected a number, got " + describe_node(n));
    if (value < min || value > max) {
        std::ostringstream range;
        range << min << ".." << max;
        ctx_.fail(n, path_of(key) + ": " + n.Scalar() + " is out of range (expected " + range.str() + ")");
    }
    return value;
}

bool StrictMap::boolean(std::string_view key, bool fallback) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
    ctx_.fail(n, path_of(key) + ": expected true or false, got " + describe_node(n));
}

std::uint64_t StrictMap::size(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    std::optional<std::uint64_t> value;
    if (n.IsScalar()) value = parse_size(n.Scalar());
    if (!value) ctx_.fail(n, path_of(key) + ": expected a size like 512M or 2G, got " + describe_node(n));
    if (*value < min || *value > max)
        ctx_.fail(n, path_of(key) + ": " + n.Scalar() + " is out of range (expected " + format_size(min) + ".." +
                         format_size(max) + ")");
    return *value;
}

Millis StrictMap::duration(std::string_view key, Millis fallback, Millis min, Millis max) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    std::optional<Millis> value;
    if (n.IsScalar()) value = parse_duration(n.Scalar());
    if (!value) ctx_.fail(n, path_of(key) + ": expected a duration like 90s or 15m, got " + describe_node(n));
    if (*value < min || *value > max)
        ctx_.fail(n, path_of(key) + ": " + n.Scalar() + " is out of range (expected " + format_duration(min) + ".." +
                         format_duration(max) + ")");
    return *value;
}

std::vector<std::string> StrictMap::string_list(std::string_view key) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return {};
    return read_string_list(ctx_, n, path_of(key));
}

std::vector<std::string> StrictMap::host_pattern_list(std::string_view key) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return {};
    if (!n.IsSequence()) ctx_.fail(n, path_of(key) + ": expected a list of host patterns, got " + describe_node(n));
    std::vector<std::string> out;
    std::size_t i = 0;
    for (const auto& item : n)
        out.push_back(read_host_pattern(ctx_, item, path_of(key) + "[" + std::to_string(i++) + "]"));
    return out;
}

std::string StrictMap::one_of(std::string_view key, const std::string& fallback,
                              const std::vector<std::string>& allowed) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return fallback;
    std::string value = read_string(ctx_, n, path_of(key));
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    std::string message = path_of(key) + ": expected one of " + list + ", got '" + value + "'";
    if (auto near = nearest_word(value, allowed)) message += " (did you mean '" + *near + "'?)";
    ctx_.fail(n, message);
}

}  // namespace deskbox
