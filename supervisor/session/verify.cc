#include "supervisor/session/verify.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "supervisor/session/session.h"
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

// Runs a host command (admission allowed it) and returns its exit status, or -1.
int run_host_command(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw_errno("starting verify command " + argv[0]);
    if (pid == 0) {
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("waiting for verify command " + argv[0]);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

VerifyOutcome run_verify_checks(const std::vector<VerifyCheck>& checks, a11y::A11yClient* a11y,
                                const SandboxFileReader& read_file) {
    VerifyOutcome outcome;
    for (const auto& c : checks) {
        bool passed = false;
        std::string detail;
        try {
            switch (c.kind) {
                case VerifyCheck::Kind::A11y: {
                    if (!a11y) {
                        detail = "accessibility is not available in this session";
                        break;
                    }
                    ElementTarget target;
                    target.role = c.role;
                    target.name = c.name;
                    const auto found = a11y->find(target);
                    passed = c.present ? !found.matches.empty() : found.matches.empty();
                    detail = std::to_string(found.matches.size()) + " matching element(s)";
                    break;
                }
                case VerifyCheck::Kind::File: {
                    const std::string content = read_file(c.path);
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
                    const int status = run_host_command(c.command);
                    passed = status == c.expect_exit;
                    detail = "exit status " + std::to_string(status) + ", expected " + std::to_string(c.expect_exit);
                    break;
                }
            }
        } catch (const Error& e) {
            passed = false;
            detail = e.what();
        }
        outcome.passed = outcome.passed && passed;
        outcome.results.push_back({{"check", describe(c)}, {"line", c.line}, {"passed", passed}, {"detail", detail}});
    }
    return outcome;
}

VerifyOutcome run_verify_checks(const Manifest& manifest, a11y::A11yClient* a11y, Session& session) {
    return run_verify_checks(manifest.verify, a11y, [&session](const std::string& path) {
        return session.read_sandbox_file(path, 1 << 20);
    });
}

}  // namespace deskbox
