// deskbox tree -s NAME: the accessibility tree of a running session, through
// its agent socket (so it passes the policy gate like any observation).
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/session/paths.h"

namespace deskbox {

void add_tree_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string session;
        std::string format = "json";
        bool interactive = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("tree", "Print the accessibility tree of a running session's apps");
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp)->required();
    cmd->add_option("-f,--format", opts->format, "json, osworld_xml (OSWorld's XML) or linearized (OSWorld's table)")
        ->check(CLI::IsMember({"json", "osworld_xml", "linearized"}));
    cmd->add_flag("-i,--interactive", opts->interactive,
                  "Only interactive, visible elements (OSWorld's filter: buttons, fields, links... that are showing)");
    cmd->footer("Exit codes: 0 printed, 1 refused by the policy or the session is unreachable.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            validate_session_name(opts->session);
            AgentClient client((find_session_dir(opts->session) / "agent.sock").string());
            const Json reply = client.call_paced({{"id", "cli-tree"},
                                                  {"action", "tree"},
                                                  {"format", opts->format},
                                                  {"interactive_only", opts->interactive}});
            if (!reply.value("ok", false)) {
                std::cerr << "deskbox tree: " << reply.dump() << "\n";
                return kExitFailure;
            }
            const Json& result = reply["result"];
            if (result.contains("text"))
                std::cout << result["text"].get<std::string>() << "\n";
            else
                std::cout << result["data"].dump(2) << "\n";
            return kExitOk;
        };
    });
}

}  // namespace deskbox
