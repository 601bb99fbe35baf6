// deskbox console [--listen ADDR]: the reviewers' web console for every
// session on this host (docs/review.md), and `deskbox console token
// add|list|revoke NAME` for the reviewers' login tokens.
#include <iostream>

#include "supervisor/auth/token_store.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/console/console_app.h"
#include "supervisor/console/console_server.h"
#include "supervisor/console/listen_address.h"

namespace deskbox {

void add_console_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string listen = console::kDefaultListen;
        bool secure_cookie = false;
        std::string novnc_dir = "/usr/share/novnc";
        int login_hours = 8;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("console",
                                       "Serve the reviewers' web console for every session on this host "
                                       "(approvals with what the agent saw, live view, controls, timeline)");
    cmd->add_option("--listen", opts->listen,
                    "Where to listen: HOST:PORT (a numeric address; port 0 picks a free one) or unix:/PATH "
                    "(default " +
                        std::string(console::kDefaultListen) + ")");
    cmd->add_flag("--secure-cookie", opts->secure_cookie,
                  "Mark the login cookie Secure: set it when a TLS reverse proxy serves the console");
    cmd->add_option("--novnc-dir", opts->novnc_dir, "Where noVNC's files are (Debian's novnc package)");
    cmd->add_option("--login-hours", opts->login_hours, "How long a login lasts")->check(CLI::Range(1, 24 * 7));
    cmd->footer(
        "Reviewers log in with a personal token: deskbox console token add NAME (root or the\n"
        "deskbox-review group). The console reaches sessions only through their review.sock,\n"
        "so it runs as root or as a member of deskbox-review. Setup, TLS and the threat model:\n"
        "docs/review.md. Exit codes: 0 never (it serves until stopped), 1 cannot listen, 64 bad command line.");
    CLI::App* token = cmd->add_subcommand("token", "Reviewers' login tokens: add, list or revoke NAME");
    add_token_subcommands(*token, TokenKind::reviewer, selected);
    cmd->callback([opts, token, &selected] {
        if (token->parsed()) return;  // a token subcommand was chosen
        selected = [opts]() -> int {
            const console::ListenAddress where = console::parse_listen_address(opts->listen);
            const TokenStore store = TokenStore::open_default(TokenKind::reviewer);
            console::ConsoleOptions options;
            options.secure_cookie = opts->secure_cookie;
            options.novnc_dir = opts->novnc_dir;
            options.login_lifetime = std::chrono::hours(opts->login_hours);
            console::ConsoleApp console_app([&store](std::string_view t) { return store.authenticate(t); }, options);
            console::ConsoleServer server(console_app, where);
            // Readiness for scripts and tests: the line comes once the socket listens.
            // One write: std::cerr is unbuffered, and a reader waiting for the line must see it whole.
            std::cerr << ("deskbox console: listening on " + server.url() + " (reviewer tokens in " +
                          store.file().string() + ")\n")
                      << std::flush;
            server.run();
            return kExitOk;
        };
    });
}

}  // namespace deskbox
