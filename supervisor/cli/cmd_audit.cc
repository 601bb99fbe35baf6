// deskbox audit verify FILE / deskbox audit show FILE: check an audit log's
// hash chain and print it as a timeline (docs/audit.md).
#include <fstream>
#include <iostream>

#include "supervisor/audit/audit_html.h"
#include "supervisor/audit/audit_timeline.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"

namespace deskbox {

namespace {

// The verdict in words; returns the exit code (0 intact, 1 broken).
int report_verification(const std::string& file, const AuditVerifyReport& r, std::ostream& out) {
    for (const std::string& line : describe_audit_verification(file, r)) out << line << "\n";
    return r.ok ? kExitOk : kExitFailure;
}

}  // namespace

void add_audit_command(CLI::App& app, CommandAction& selected) {
    auto file = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("audit", "Verify or show a session's audit log");
    cmd->require_subcommand(1);

    CLI::App* verify =
        cmd->add_subcommand("verify", "Check the audit log's hash chain and name the first broken record");
    verify->add_option("file", *file, "Audit log (audit.jsonl)")->required();
    verify->footer(
        "Exit codes: 0 intact (a torn last line from a crash is reported, not an error), "
        "1 broken (the record number and what is wrong are printed), 2 unreadable.");
    verify->callback([file, &selected] {
        selected = [file]() -> int {
            AuditVerifyReport report;
            try {
                report = verify_audit_file(*file);
            } catch (const Error& e) {
                std::cerr << "deskbox audit verify: " << e.what() << "\n";
                return kExitInvalid;
            }
            return report_verification(*file, report, std::cout);
        };
    });

    auto html = std::make_shared<std::string>();
    CLI::App* show = cmd->add_subcommand("show", "Print the audit log as a readable timeline, then verify it");
    show->add_option("file", *file, "Audit log (audit.jsonl)")->required();
    show->add_option("--html", *html,
                     "Write a self-contained HTML report (timeline, kept screenshots, verification, recording) "
                     "to this file instead");
    show->footer("Exit codes: 0 shown and intact, 1 shown but the chain is broken, 2 unreadable.");
    show->callback([file, html, &selected] {
        selected = [file, html]() -> int {
            std::string text;
            try {
                text = read_audit_file(*file);
            } catch (const Error& e) {
                std::cerr << "deskbox audit show: " << e.what() << "\n";
                return kExitInvalid;
            }
            if (!html->empty()) {
                std::ofstream out(*html, std::ios::binary | std::ios::trunc);
                if (out) write_audit_html(*file, text, out);
                if (!out || !out.flush()) {
                    std::cerr << "deskbox audit show: writing " << *html << ": " << errno_text(errno) << "\n";
                    return kExitInvalid;
                }
                // The verdict still goes to the terminal (and decides the exit code).
                return report_verification(*file, verify_audit_text(text), std::cout);
            }
            print_audit_timeline(text, std::cout);
            std::cout << "\n";
            return report_verification(*file, verify_audit_text(text), std::cout);
        };
    });
}

}  // namespace deskbox
