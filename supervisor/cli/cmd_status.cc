// deskbox status -s NAME: the session's status.json, readable or as JSON.
#include <cerrno>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/status.h"

namespace deskbox {

void add_status_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string session;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("status", "Show a running session's state, limits, limit events and apps");
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp)->required();
    cmd->add_flag("--json", opts->json, "Print status.json as it is");
    cmd->footer("Exit codes: 0 shown, 1 no such running session.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            validate_session_name(opts->session);
            const auto file = find_session_dir(opts->session) / "status.json";
            std::ifstream in(file);
            if (!in && errno == EACCES) {
                std::cerr << "deskbox status: " << file.string() << ": " << errno_text(EACCES)
                          << " (a system session's status is readable by root and the deskbox group)\n";
                return kExitFailure;
            }
            if (!in) {
                std::cerr << "deskbox status: no running session named " << opts->session << " (no " << file.string()
                          << ")\n";
                return kExitFailure;
            }
            nlohmann::json status = nlohmann::json::parse(in, nullptr, false);
            if (status.is_discarded()) throw Error(file.string() + ": not valid JSON");
            if (opts->json)
                std::cout << status.dump(2) << "\n";
            else
                std::cout << format_status(status);
            return kExitOk;
        };
    });
}

}  // namespace deskbox
