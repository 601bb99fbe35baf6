// The manifest's file-related parts, kept apart from manifest_parser.cc:
// `collect:` and `uploads:`, and the end-state `verify:` checks that look at
// files and app state (url, window, spreadsheet; file's sha256 and matches).
#pragma once

#include <filesystem>
#include <vector>

#include "supervisor/base/strict_yaml.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox {

// collect: [ "~/a.ods", {path: ~/b.txt, max_size: 1M}, ... ]
void parse_collect(const YamlContext& ctx, const YAML::Node& list, std::vector<CollectEntry>& out);
// uploads: {NAME: {from: ./file, max_size: 64M}} or {NAME: ./file}
void parse_uploads(StrictMap m, const std::filesystem::path& base, std::vector<UploadSource>& out);

// Reads a verify item's url, window or spreadsheet key, if present, into `v`;
// returns how many of those keys it found (the caller requires exactly one kind).
int parse_state_checks(StrictMap& m, const std::string& where, VerifyCheck& v);
// file: {sha256, matches} besides path/contains/equals.
void parse_file_digest_checks(StrictMap& fm, const std::string& where, VerifyCheck& v);

}  // namespace deskbox
