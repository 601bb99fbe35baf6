// deskbox act -s NAME JSON: send one request to a session's agent socket and
// print the reply (any dialect; see docs/protocol.md).
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/session/paths.h"

namespace deskbox {

void add_act_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string session;
        std::string request;
        bool quiet_pending = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("act", "Send one action or observation request to a running session");
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp)->required();
    cmd->add_option("request", opts->request,
                    "The request as JSON, in any dialect: "
                    "'{\"action\":\"left_click\",\"coordinate\":[100,200]}'")
        ->required();
    cmd->add_flag("-q,--quiet-pending", opts->quiet_pending, "Do not report waiting for a reviewer on stderr");
    cmd->footer(
        "Prints the final reply line. When the policy asks a reviewer, a 'pending' line is reported on stderr and\n"
        "the command waits for the decision. A refusal by the session's rate limit (budget:rate) is proposed again\n"
        "when the session says the budget refills.\n"
        "Exit codes: 0 done, 1 refused or failed (or the session is unreachable), 64 the argument is not a JSON "
        "object.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            Json request = Json::parse(opts->request, nullptr, false);
            if (request.is_discarded() || !request.is_object()) {
                std::cerr << "deskbox act: the request must be one JSON object\n";
                return kExitUsage;
            }
            if (!request.contains("id")) request["id"] = "cli";
            validate_session_name(opts->session);
            AgentClient client((find_session_dir(opts->session) / "agent.sock").string());
            const Json reply = client.call_paced(request, [&](const Json& pending) {
                if (!opts->quiet_pending)
                    std::cerr << "deskbox act: waiting for a reviewer (approval " << pending.value("approval_id", "?")
                              << ", rule '" << pending.value("rule", "") << "')\n";
            });
            std::cout << reply.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
            return reply.value("ok", false) ? kExitOk : kExitFailure;
        };
    });
}

}  // namespace deskbox
