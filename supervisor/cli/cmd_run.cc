// deskbox run MANIFEST: admit, then run the session in the foreground until
// it ends (signal, wall clock, apps done). Refuses to start when admission
// blocks the manifest, printing the reasons.
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/session/session_runtime.h"

namespace deskbox {

void add_run_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string manifest;
        std::string expect_name;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("run", "Run a session: sandbox, display and the manifest's apps, until it ends");
    cmd->add_option("manifest", opts->manifest, "Session manifest (YAML)")->required();
    cmd->add_option("--expect-name", opts->expect_name,
                    "Refuse to start unless the manifest's session.name is this (deskbox@NAME.service passes NAME, "
                    "so the unit, the session dir and the sockets agree)");
    cmd->footer(
        "The session ends on SIGTERM/SIGINT, when its wall-clock budget is spent, or when all its apps have ended.\n"
        "Exit codes: 0 the session ran and ended in order, 1 refused by admission or failed, 2 invalid manifest or "
        "policy\n"
        "(or its session.name is not --expect-name).");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            Plan plan = admit_file(opts->manifest);
            // Refused rather than overridden: the manifest (and its hash in the audit log) must say which session it
            // is.
            if (!opts->expect_name.empty() && plan.manifest.session.name != opts->expect_name) {
                std::cerr << "deskbox run: " << opts->manifest << " names its session '" << plan.manifest.session.name
                          << "', expected '" << opts->expect_name
                          << "' (the unit instance): set session.name: " << opts->expect_name
                          << " or rename the file\n";
                return kExitInvalid;
            }
            if (!plan.verdict.admitted) {
                std::cerr << "deskbox run: " << opts->manifest << " is not admitted:\n";
                for (const auto& reason : plan.verdict.reasons) std::cerr << "  - " << reason << "\n";
                return kExitFailure;
            }
            return run_session(std::move(plan));
        };
    });
}

}  // namespace deskbox
