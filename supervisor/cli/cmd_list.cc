// deskbox list [--json]: every session the caller may see (session_list.h),
// as a table or as the stable JSON document (list_format.h, docs/session.md).
#include <ctime>
#include <iostream>

#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/session/list_format.h"
#include "supervisor/session/session_list.h"

namespace deskbox {

void add_list_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("list",
                                       "List every session on this host you may see: state, display, apps, "
                                       "pending approvals, taint, budget use, uptime");
    cmd->add_flag("--json", opts->json, "Print the stable JSON document ({\"schema\": 1, \"sessions\": [...]})");
    cmd->footer(
        "Looks in DESKBOX_RUNTIME_DIR when set; as root in /run/deskbox; as a user in\n"
        "$XDG_RUNTIME_DIR/deskbox (your sessions) and /run/deskbox (system sessions).\n"
        "STATE is the session's own (starting, running, stopping, ended, failed), or:\n"
        "  stale      its supervisor is gone and its dir was left behind (or is being cleaned)\n"
        "  no access  you may not read its status (system sessions: root and the deskbox group)\n"
        "  unknown    its status.json is missing or not valid JSON (NOTE says which)\n"
        "PENDING: proposals waiting for a reviewer; BUDGET: steps used/limit, wall clock left.\n"
        "JSON fields are listed in docs/session.md (\"Listing sessions\"); unknown values are null.\n"
        "Exit codes: 0 listed (also when there are none), 64 bad command line.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            const std::int64_t now = std::time(nullptr);
            std::vector<nlohmann::json> entries;
            for (const ListedSession& s : list_sessions()) entries.push_back(list_entry(s, now));
            if (opts->json)
                std::cout << list_document(entries).dump(2) << "\n";
            else
                std::cout << format_list_table(entries, now);
            return kExitOk;
        };
    });
}

}  // namespace deskbox
