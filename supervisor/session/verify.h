// Final-state verification: the manifest's verify checks, run at the end of a
// session (and by `deskbox verify`). Each result is one audit record; the
// session's exit status reflects them.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"

namespace deskbox {

namespace a11y {
class A11yClient;
}
class Session;

struct VerifyOutcome {
    bool passed = true;
    std::vector<nlohmann::json> results;  // {check, passed, detail}
};

// Reads a file of the sandbox (path as the sandbox sees it, "~/" = the home).
using SandboxFileReader = std::function<std::string(const std::string& path)>;

// `a11y` may be null: a11y checks then fail with a clear detail.
VerifyOutcome run_verify_checks(const std::vector<VerifyCheck>& checks, a11y::A11yClient* a11y,
                                const SandboxFileReader& read_file);
VerifyOutcome run_verify_checks(const Manifest& manifest, a11y::A11yClient* a11y, Session& session);

}  // namespace deskbox
