// deskbox run MANIFEST: admit, then run the session in the foreground until
// it ends (signal, wall clock, apps done). Refuses to start when admission
// blocks the manifest, printing the reasons.
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/session/session.h"

namespace deskbox {

void add_run_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string manifest;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("run", "Run a session: sandbox, display and the manifest's apps, until it ends");
    cmd->add_option("manifest", opts->manifest, "Session manifest (YAML)")->required();
    cmd->footer(
        "The session ends on SIGTERM/SIGINT, when its wall-clock budget is spent, or when all its apps have ended.\n"
        "Exit codes: 0 the session ran and ended in order, 1 refused by admission or failed, 2 invalid manifest or policy.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            Plan plan = admit_file(opts->manifest);
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
