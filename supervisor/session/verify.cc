#include "supervisor/session/verify.h"

#include <sys/wait.h>

#include "xsession/a11y/a11y_client.h"

namespace deskbox {
namespace {

std::string describe(const VerifyCheck& c) {
    switch (c.kind) {
        case VerifyCheck::Kind::A11y:
            return "a11y " + (c.role.empty() ? std::string() : "role '" + c.role + "' ") +
                   (c.name.empty() ? std::string() : "name '" + c.name + "' ") + (c.present ? "present" : "absent");
        case VerifyCheck::Kind::File: return "file " + c.path;
        case VerifyCheck::Kind::Command: {
            std::string s = "command";
            for (const auto& a : c.command) s += " " + a;
            return s;
        }
    }
    return "check";
}

}  // namespace

bool judge_command(const VerifyCheck& check, const HostCommandResult& result, nlohmann::json& record) {
    const bool passed = result.end == HostCommandResult::End::Exited && WIFEXITED(result.wait_status) &&
                        WEXITSTATUS(result.wait_status) == check.expect_exit;
    record["detail"] = describe_host_command_end(result) + ", expected exit status " + std::to_string(check.expect_exit);
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
                    if (!env.a11y) {
                        detail = "accessibility is not available in this session";
                        break;
                    }
                    ElementTarget target;
                    target.role = c.role;
                    target.name = c.name;
                    const auto found = env.a11y->find(target);
                    passed = c.present ? !found.matches.empty() : found.matches.empty();
                    detail = std::to_string(found.matches.size()) + " matching element(s)";
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
                    if (passed) detail = std::to_string(content.size()) + " bytes, as expected";
                    break;
                }
                case VerifyCheck::Kind::Command: {
                    passed = judge_command(c, env.run_command(c), record);
                    detail = record["detail"];
                    break;
                }
            }
        } catch (const Error& e) {
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
