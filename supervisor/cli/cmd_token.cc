// deskbox token add|list|revoke NAME: the agents' bearer tokens for MCP over
// HTTP (docs/mcp.md). add_token_subcommands() is shared with the console's
// reviewer tokens (`deskbox console token`).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "supervisor/auth/token_store.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"

namespace deskbox {
namespace {

std::string utc_time(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

void add_token_subcommands(CLI::App& parent, TokenKind kind, CommandAction& selected) {
    const std::string who = kind == TokenKind::agent ? "agent" : "reviewer";
    auto name = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    parent.require_subcommand(1);

    CLI::App* add = parent.add_subcommand(
        "add", "Make a token for the " + who + " NAME and print it once (only its hash is stored)");
    add->add_option("name", *name, "The " + who + "'s name, as the audit log will record it")->required();
    add->callback([&selected, name, kind] {
        selected = [name, kind]() -> int {
            TokenStore store = TokenStore::open_default(kind);
            const std::string token = store.add(*name);
            std::cerr << "deskbox: token for '" << *name << "' stored (hashed) in " << store.file().string()
                      << "; it is shown only now:\n";
            std::cout << token << "\n";
            return kExitOk;
        };
    });

    CLI::App* list = parent.add_subcommand("list", "List the " + who + " tokens: name, created, revoked");
    list->add_flag("--json", *json, "Print JSON: [{\"name\", \"created\", \"revoked\"}] (unix seconds, null)");
    list->callback([&selected, json, kind] {
        selected = [json, kind]() -> int {
            TokenStore store = TokenStore::open_default(kind);
            const std::vector<TokenInfo> tokens = store.list();
            if (*json) {
                nlohmann::json out = nlohmann::json::array();
                for (const TokenInfo& t : tokens) {
                    out.push_back({{"name", t.name},
                                   {"created", t.created},
                                   {"revoked", t.revoked ? nlohmann::json(*t.revoked) : nlohmann::json(nullptr)}});
                }
                std::cout << out.dump(2) << "\n";
                return kExitOk;
            }
            if (tokens.empty()) {
                std::cout << "no tokens in " << store.file().string() << "\n";
                return kExitOk;
            }
            std::printf("%-24s %-21s %s\n", "NAME", "CREATED", "REVOKED");
            for (const TokenInfo& t : tokens) {
                std::printf("%-24s %-21s %s\n", t.name.c_str(), utc_time(t.created).c_str(),
                            t.revoked ? utc_time(*t.revoked).c_str() : "-");
            }
            return kExitOk;
        };
    });

    CLI::App* revoke =
        parent.add_subcommand("revoke", "Revoke NAME's token; the next request that presents it is refused");
    revoke->add_option("name", *name, "The " + who + "'s name")->required();
    revoke->callback([&selected, name, kind] {
        selected = [name, kind]() -> int {
            TokenStore store = TokenStore::open_default(kind);
            store.revoke(*name);
            std::cout << "revoked the token of '" << *name << "'\n";
            return kExitOk;
        };
    });
}

void add_token_command(CLI::App& app, CommandAction& selected) {
    CLI::App* cmd =
        app.add_subcommand("token", "Manage the agents' bearer tokens for MCP over HTTP (add, list, revoke)");
    cmd->footer(
        "Tokens are stored hashed (SHA-256): as root in /var/lib/deskbox/tokens/agent.json, as a user in\n"
        "${XDG_STATE_HOME:-~/.local/state}/deskbox/tokens/agent.json; DESKBOX_TOKEN_DIR overrides the dir.\n"
        "An agent presents its token as 'Authorization: Bearer TOKEN' (docs/mcp.md).\n"
        "Exit codes: 0 done, 1 failed (e.g. the name already has a token), 64 bad command line.");
    add_token_subcommands(*cmd, TokenKind::agent, selected);
}

}  // namespace deskbox
