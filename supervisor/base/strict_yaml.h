// Strict reading of YAML documents (manifests, policies) with positions.
//
// Every error names file:line:column and what was expected; unknown keys are
// errors with the nearest known key suggested. Readers mark the keys they
// consume and finish() rejects whatever is left, so a typo can never be
// silently ignored.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/units.h"

namespace deskbox {

// Loads a YAML file after checking that it is plausible text: bounded size,
// valid UTF-8, no NUL bytes. Throws InputError with the position of the problem.
// Reads a whole file, refusing one larger than max_bytes.
std::string read_bounded_file(const std::filesystem::path& file, const std::string& what, std::uint64_t max_bytes);

YAML::Node load_yaml_file(const std::filesystem::path& file, std::uint64_t max_bytes = 1 << 20);
YAML::Node load_yaml_text(const std::string& text, const std::string& display_name, std::uint64_t max_bytes = 1 << 20);

// Position-aware context: which file and which dotted path we are reading.
struct YamlContext {
    std::string file;
    [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;
};

std::string describe_node(const YAML::Node& node);  // "a mapping", "'text'", "a list"
// Nearest candidate by edit distance, if close enough to be a plausible typo.
std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates);

class StrictMap {
public:
    // `where` is the dotted path of this mapping ("sandbox", "apps[1]"); empty at the top.
    StrictMap(const YamlContext& ctx, const YAML::Node& node, std::string where);

    bool has(std::string_view key) const;
    // Marks the key known; returns an undefined node when absent.
    YAML::Node get(std::string_view key);
    YAML::Node require(std::string_view key);
    // The dotted path of a child: "sandbox.memory".
    std::string path_of(std::string_view key) const;
    // Rejects keys that were never asked for. `also_known` lists keys that are
    // valid but were not read (used for suggestions only when absent).
    void finish(std::initializer_list<std::string_view> also_known = {});

    const YAML::Node& node() const { return node_; }
    const YamlContext& context() const { return ctx_; }

    // Typed readers. Each returns `fallback` when the key is absent.
    std::string string(std::string_view key, const std::string& fallback);
    std::string required_string(std::string_view key);
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max);
    double number(std::string_view key, double fallback, double min, double max);
    bool boolean(std::string_view key, bool fallback);
    std::uint64_t size(std::string_view key, std::uint64_t fallback, std::uint64_t min, std::uint64_t max);
    Millis duration(std::string_view key, Millis fallback, Millis min, Millis max);
    std::vector<std::string> string_list(std::string_view key);
    // A list of host patterns (host_pattern.h); an entry that is not one
    // fails at its position with the reason.
    std::vector<std::string> host_pattern_list(std::string_view key);
    std::string one_of(std::string_view key, const std::string& fallback, const std::vector<std::string>& allowed);

private:
    YamlContext ctx_;
    YAML::Node node_;
    std::string where_;
    std::set<std::string, std::less<>> seen_;
};

// Scalar readers for nodes that are not map entries (list items).
std::string read_string(const YamlContext& ctx, const YAML::Node& node, const std::string& what);
std::vector<std::string> read_string_list(const YamlContext& ctx, const YAML::Node& node, const std::string& what);
// One host pattern ("ci.example", "*.example", "*", an IP address), as written.
std::string read_host_pattern(const YamlContext& ctx, const YAML::Node& node, const std::string& what);

}  // namespace deskbox
