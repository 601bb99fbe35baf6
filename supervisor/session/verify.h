// Final-state verification: the manifest's verify checks, run at the end of a
// session (and by `deskbox verify`). Each result is one audit record; the
// session's exit status reflects them.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"
#include "supervisor/session/host_command.h"
#include "xsession/a11y/a11y_client.h"

namespace deskbox {

struct VerifyOutcome {
    bool passed = true;
    std::vector<nlohmann::json> results;  // {check, passed, detail}
};

// Reads a file of the sandbox (path as the sandbox sees it, "~/" = the home).
using SandboxFileReader = std::function<std::string(const std::string& path)>;

// Runs a command check's host command (run_host_command with the check's
// timeout); throws deskbox::Error when it cannot run.
using HostCommandRunner = std::function<HostCommandResult(const VerifyCheck& check)>;

// A window of the session display, as a `window` check sees it.
struct VerifyWindow {
    std::string instance, wm_class, title;
};

struct VerifyEnvironment {
    // An `a11y` check's search (the accessibility helper's find); throws
    // deskbox::Error when the helper cannot answer. Empty: accessibility is
    // not available, and a11y checks fail saying so.
    std::function<a11y::FindResult(const ElementTarget& target)> find_elements;
    SandboxFileReader read_file;
    HostCommandRunner run_command;
    // The browser's current URL ("" when no browser document shows).
    std::function<std::string()> current_url;
    // The viewable windows of the display.
    std::function<std::vector<VerifyWindow>()> windows;
    // A spreadsheet check's sheet as CSV, converted by LibreOffice inside the
    // sandbox (spreadsheet_check.h); throws deskbox::Error naming what failed.
    std::function<std::string(const VerifyCheck& check)> spreadsheet_csv;
};

// A command check's result: passed only when it exited with the expected status.
// Adds "output" (at most the runner's bound) and, when more was printed, "output_bytes".
bool judge_command(const VerifyCheck& check, const HostCommandResult& result, nlohmann::json& record);

VerifyOutcome run_verify_checks(const std::vector<VerifyCheck>& checks, const VerifyEnvironment& env);

}  // namespace deskbox
