// deskbox mcp -s NAME [--http ADDR]: an MCP server for one session. It is an
// ordinary client of the session's agent socket: every tool call becomes an
// agent-protocol request there, so the gate and the audit log treat it as
// any agent (docs/mcp.md).
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "supervisor/auth/token_store.h"
#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/control/agent_request.h"
#include "supervisor/control/protocol_error.h"
#include "supervisor/mcp/agent_pool.h"
#include "supervisor/mcp/http_transport.h"
#include "supervisor/mcp/stdio_transport.h"
#include "supervisor/session/paths.h"

namespace deskbox {
namespace {

struct McpOptions {
    std::string session;
    std::string agent;
    std::string http;
    bool allow_remote = false;
    std::vector<std::string> origins;
    std::string socket_mode = "0600";
};

std::string local_user_name() {
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) return pw->pw_name;
    return "uid-" + std::to_string(getuid());
}

int serve_http(const McpOptions& opts, mcp::McpServer& server, mcp::AgentPool& pool) {
    mcp::HttpOptions http;
    http.address = mcp::parse_listen_address(opts.http, opts.allow_remote);
    http.allowed_origins = opts.origins;
    try {
        http.socket_mode = static_cast<mode_t>(std::stoul(opts.socket_mode, nullptr, 8));
    } catch (const std::exception&) {
        throw Error("--socket-mode must be octal (e.g. 0660), got '" + opts.socket_mode + "'");
    }
    // The store is read again on every request whose file changed, so
    // `deskbox token revoke` applies to the next request.
    auto store = std::make_shared<TokenStore>(TokenStore::open_default(TokenKind::agent).file());
    http.authenticate = [store](std::string_view token) { return store->authenticate(token); };

    // Signals are taken by one thread (sigwait); every other thread blocks them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, s);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    mcp::HttpServer listener(server, pool, http);
    std::cerr << "deskbox mcp: session " << opts.session << ", listening on " << listener.bound_address()
              << " (endpoint " << mcp::kEndpoint << ", bearer tokens from " << store->file().string() << ")"
              << std::endl;
    std::thread waiter([&] {
        int signo = 0;
        sigwait(&stop_signals, &signo);
        listener.stop();
    });
    listener.run();
    // run() returns only after stop(): the waiter is done or about to be.
    waiter.join();
    return kExitOk;
}

}  // namespace

void add_mcp_command(CLI::App& app, CommandAction& selected) {
    auto opts = std::make_shared<McpOptions>();
    CLI::App* cmd = app.add_subcommand("mcp", "Serve a session to MCP clients (stdio, or Streamable HTTP with --http)");
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp)->required();
    cmd->add_option("--agent", opts->agent,
                    "stdio: the agent's name in the audit log (default: the local user name); over HTTP the "
                    "bearer token names the agent");
    cmd->add_option("--http", opts->http,
                    "Serve Streamable HTTP instead of stdio, on unix:PATH or [HOST:]PORT (default host 127.0.0.1; "
                    "port 0 picks a free one)");
    cmd->add_flag("--allow-remote", opts->allow_remote,
                  "Allow a TCP address that is not loopback (agents on other hosts; put TLS in front, docs/mcp.md)");
    cmd->add_option("--allow-origin", opts->origins,
                    "A browser Origin allowed besides loopback ones (exact, e.g. https://agent.example); repeatable");
    cmd->add_option("--socket-mode", opts->socket_mode, "File mode of a unix:PATH socket (octal, default 0600)");
    cmd->footer(
        "stdio: newline-delimited JSON-RPC on stdin/stdout (for clients that start the server themselves).\n"
        "HTTP: endpoint /mcp; every request needs 'Authorization: Bearer TOKEN' (deskbox token add NAME).\n"
        "Exit codes: 0 stdin ended or a signal stopped the server, 1 the session is unreachable, 64 bad options.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            validate_session_name(opts->session);
            if (!opts->http.empty() && !opts->agent.empty()) {
                std::cerr << "deskbox mcp: --agent is for stdio; over HTTP the bearer token names the agent\n";
                return kExitUsage;
            }
            if (opts->http.empty() && (opts->allow_remote || !opts->origins.empty())) {
                std::cerr << "deskbox mcp: --allow-remote and --allow-origin need --http\n";
                return kExitUsage;
            }
            const std::string agent = opts->agent.empty() ? local_user_name() : opts->agent;
            try {
                check_agent_name(agent);
            } catch (const ProtocolError& e) {
                std::cerr << "deskbox mcp: --agent: " << e.what() << "\n";
                return kExitUsage;
            }
            const std::string socket = (find_session_dir(opts->session) / "agent.sock").string();
            // Fail at once, not at the first tool call, when the session is not there.
            if (!AgentClient(socket).call({{"id", "probe"}, {"action", "status"}}).value("ok", false))
                throw Error("session " + opts->session + " did not answer a status request on " + socket);
            signal(SIGPIPE, SIG_IGN);  // a client that leaves is a write error, not a signal
            mcp::AgentPool pool(socket);
            mcp::McpServer server(pool);
            if (!opts->http.empty()) return serve_http(*opts, server, pool);
            mcp::serve_stdio(server, agent);
            return kExitOk;
        };
    });
}

}  // namespace deskbox
