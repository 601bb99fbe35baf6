// deskbox check MANIFEST: parse, resolve and admit without starting anything.
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/manifest/plan_format.h"

namespace deskbox {

void add_check_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string manifest;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "check", "Parse a session manifest and its policy, print the resolved plan and the admission verdict");
    cmd->add_option("manifest", opts->manifest, "Session manifest (YAML)")->required();
    cmd->add_flag("--json", opts->json, "Print the plan and verdict as JSON");
    cmd->footer("Exit codes: 0 admitted, 1 blocked by admission, 2 invalid manifest or policy.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            const Plan plan = admit_file(opts->manifest);
            if (opts->json)
                std::cout << plan_to_json(plan).dump(2) << "\n";
            else
                std::cout << plan_to_text(plan);
            return plan.verdict.admitted ? kExitOk : kExitFailure;
        };
    });
}

}  // namespace deskbox
