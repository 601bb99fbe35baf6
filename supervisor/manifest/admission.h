// Admission: manifest + policy in, one fully resolved Plan out, with a verdict
// (admitted, or blocked with reasons). Everything the sandbox later does is
// decided here, before any privileged step; the sandbox only carries out a Plan.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox {

struct Verdict {
    bool admitted = true;
    std::vector<std::string> reasons;  // why it is blocked (empty when admitted)
    std::vector<std::string> notes;    // things worth knowing that do not block
};

struct Plan {
    Manifest manifest;
    Policy policy;
    bool builtin_policy = false;  // no policy file: the built-in default was used
    std::string manifest_sha256;
    std::string policy_sha256;
    Verdict verdict;
    // Effective budget: the manifest's, capped by the policy.
    BudgetSpec budget;
};

// The policy used when a manifest names none: every action waits for a reviewer
// except observations, and no network is admitted.
Policy builtin_default_policy();

// Loads and parses manifest and policy, computes hashes, applies the admission
// rules. Throws InputError for invalid files.
Plan admit_file(const std::filesystem::path& manifest_file);
// Pure rules, used by admit_file and by unit tests.
Verdict admission_verdict(const Manifest& m, const Policy& p);

// Is every name `requested` may reach also reachable under `allowed`? Both are
// host patterns (supervisor/base/host_pattern.h): "a.example" is covered by
// "a.example", "*.example" or "*"; "*.a.example" by "*.a.example", "*.example"
// or "*". Case, a trailing dot and IDNA spellings do not matter.
bool domain_covered(const std::string& requested, const std::vector<std::string>& allowed);

std::string sha256_hex(const std::string& data);

}  // namespace deskbox
