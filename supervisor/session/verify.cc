#include "supervisor/session/verify.h"

#include <sys/wait.h>

#include <exception>

#include "supervisor/audit/audit_record.h"
#include "supervisor/base/regex_pattern.h"
#include "supervisor/manifest/sheet_cells.h"
#include "xsession/a11y/a11y_client.h"

namespace deskbox {
namespace {

std::string describe(const VerifyCheck& c) {
    switch (c.kind) {
        case VerifyCheck::Kind::A11y:
            return "a11y " + (c.role.empty() ? std::string() : "role '" + c.role + "' ") +
                   (c.name.empty() ? std::string() : "name '" + c.name + "' ") + (c.present ? "present" : "absent");
        case VerifyCheck::Kind::File:
            return "file " + c.path;
        case VerifyCheck::Kind::Url:
            return "url " + (c.matches.empty() ? "'" + c.equals + "'" : "matching '" + c.matches + "'");
        case VerifyCheck::Kind::Window:
            return "window " + (c.wm_class.empty() ? std::string() : "WM_CLASS '" + c.wm_class + "' ") +
                   (c.title.empty() ? std::string() : "title '" + c.title + "' ") + (c.present ? "present" : "absent");
        case VerifyCheck::Kind::Spreadsheet:
            return "spreadsheet " + c.path + " (" + std::to_string(c.cells.size()) + " cell(s))";
        case VerifyCheck::Kind::Command: {
            std::string s = "command";
            for (const auto& a : c.command) s += " " + a;
            return s;
        }
    }
    return "check";
}

// sha256 and matches of a file check (contains/equals are checked before).
void check_file_digest(const VerifyCheck& c, const std::string& content, bool& passed, std::string& detail) {
    if (!c.sha256.empty()) {
        const std::string actual = sha256_hex_of(content);
        if (actual != c.sha256) {
            passed = false;
            detail = "sha256 is " + actual + ", expected " + c.sha256;
        }
    }
    if (!c.matches.empty()) {
        std::string error;
        const auto pattern = compile_pattern(c.matches, error);
        if (!pattern) throw Error("pattern '" + c.matches + "': " + error);
        if (!pattern->matches(content)) {
            passed = false;
            detail = "does not match '" + c.matches + "'";
        }
    }
}

bool check_url(const VerifyCheck& c, const VerifyEnvironment& env, std::string& detail) {
    const std::string url = env.current_url ? env.current_url() : std::string();
    if (url.empty()) {
        detail = "no browser document is showing";
        return false;
    }
    bool passed = false;
    if (!c.matches.empty()) {
        std::string error;
        const auto pattern = compile_pattern(c.matches, error);
        if (!pattern) throw Error("pattern '" + c.matches + "': " + error);
        passed = pattern->matches(url);
    } else {
        passed = url == c.equals;
    }
    detail = "the browser shows " + url;
    return passed;
}

bool check_window(const VerifyCheck& c, const VerifyEnvironment& env, std::string& detail) {
    if (!env.windows) throw Error("the display's windows cannot be listed in this session");
    std::size_t found = 0;
    for (const auto& w : env.windows()) {
        const bool class_ok = c.wm_class.empty() || w.wm_class == c.wm_class || w.instance == c.wm_class;
        const bool title_ok = c.title.empty() || w.title.find(c.title) != std::string::npos;
        if (class_ok && title_ok) ++found;
    }
    detail = std::to_string(found) + " matching window(s)";
    return c.present ? found > 0 : found == 0;
}

}  // namespace

bool judge_command(const VerifyCheck& check, const HostCommandResult& result, nlohmann::json& record) {
    const bool passed = result.end == HostCommandResult::End::Exited && WIFEXITED(result.wait_status) &&
                        WEXITSTATUS(result.wait_status) == check.expect_exit;
    record["detail"] =
        describe_host_command_end(result) + ", expected exit status " + std::to_string(check.expect_exit);
    if (!result.output.empty()) record["output"] = result.output;
    if (result.output_bytes > result.output.size()) record["output_bytes"] = result.output_bytes;
    return passed;
}

VerifyOutcome run_verify_checks(const std::vector<VerifyCheck>& checks, const VerifyEnvironment& env) {
    VerifyOutcome outcome;
    for (const auto& c : checks) {
        bool passed = false;
        std::string detail;
        nlohmann::json record = {{"check", describe(c)}, {"line", c.line}};
        try {
            switch (c.kind) {
                case VerifyCheck::Kind::A11y: {
                    if (!env.find_elements) {
                        detail = "accessibility is not available in this session";
                        break;
                    }
                    ElementTarget target;
                    target.role = c.role;
                    target.name = c.name;
                    const a11y::FindResult found = env.find_elements(target);
                    const std::string seen = std::to_string(found.matches.size()) + " matching element(s)";
                    // A search cut short shows a match it found, but not that
                    // none exists: unknown is a failed check, never a pass.
                    if (found.truncated && (!c.present || found.matches.empty())) {
                        detail = "the accessibility search was cut short (" + found.truncated_reason + ") after " +
                                 seen + ": cannot tell";
                        break;
                    }
                    passed = c.present ? !found.matches.empty() : found.matches.empty();
                    detail = seen;
                    break;
                }
                case VerifyCheck::Kind::File: {
                    const std::string content = env.read_file(c.path);
                    passed = true;
                    if (!c.equals.empty() && content != c.equals) {
                        passed = false;
                        detail = "content differs from the expected text";
                    }
                    if (!c.contains.empty() && content.find(c.contains) == std::string::npos) {
                        passed = false;
                        detail = "does not contain '" + c.contains + "'";
                    }
                    check_file_digest(c, content, passed, detail);
                    if (passed) detail = std::to_string(content.size()) + " bytes, as expected";
                    break;
                }
                case VerifyCheck::Kind::Url:
                    passed = check_url(c, env, detail);
                    break;
                case VerifyCheck::Kind::Window:
                    passed = check_window(c, env, detail);
                    break;
                case VerifyCheck::Kind::Spreadsheet: {
                    if (!env.spreadsheet_csv) throw Error("spreadsheets cannot be read in this session");
                    passed = judge_cells(c.cells, parse_csv(env.spreadsheet_csv(c)), detail);
                    break;
                }
                case VerifyCheck::Kind::Command: {
                    passed = judge_command(c, env.run_command(c), record);
                    detail = record["detail"];
                    break;
                }
            }
        } catch (const std::exception& e) {
            // Any failure of one check (a deskbox::Error naming what was
            // unknown, or an internal error) fails that check only.
            passed = false;
            detail = e.what();
        }
        outcome.passed = outcome.passed && passed;
        record["passed"] = passed;
        record["detail"] = detail;
        outcome.results.push_back(std::move(record));
    }
    return outcome;
}

}  // namespace deskbox
