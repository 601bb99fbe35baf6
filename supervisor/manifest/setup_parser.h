// Strict parsing of the manifest's `setup:` list and of what a secret may be
// typed into (`secrets.NAME.fields` / `windows`). Errors are InputError with
// file:line:column, like the rest of the manifest (manifest_parser.h).
#pragma once

#include "supervisor/base/strict_yaml.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox {

// Reads `fields` and `windows` of one secret's mapping (marks the keys known).
void parse_secret_use(StrictMap& secret, SecretUse& use);
// The `setup:` list. Needs the apps and secrets already read: a step naming
// an unknown app or secret fails at its position.
std::vector<SetupStep> parse_setup(const YamlContext& ctx, const YAML::Node& list, const Manifest& m);

}  // namespace deskbox
