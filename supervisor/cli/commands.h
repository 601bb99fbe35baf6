// Registration of subcommands. Each add_* function adds one subcommand to the
// app and sets `action` (through the callback) to run it after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "supervisor/auth/token_store.h"

namespace deskbox {

using CommandAction = std::function<int()>;
// Register a subcommand: `add` fills in options and returns the action to run.
using CommandRegistrar = void (*)(CLI::App& app, CommandAction& selected);

void add_check_command(CLI::App& app, CommandAction& selected);
void add_act_command(CLI::App& app, CommandAction& selected);
void add_tree_command(CLI::App& app, CommandAction& selected);
void add_screenshot_command(CLI::App& app, CommandAction& selected);
void add_run_command(CLI::App& app, CommandAction& selected);
void add_status_command(CLI::App& app, CommandAction& selected);
void add_list_command(CLI::App& app, CommandAction& selected);
void add_audit_command(CLI::App& app, CommandAction& selected);
// demo: the CI-incident example with a scripted agent and reviewer
void add_demo_command(CLI::App& app, CommandAction& selected);
// approvals, approve, deny, pause, resume, stop [--all] (the reviewer socket)
void add_review_commands(CLI::App& app, CommandAction& selected);
// deskbox mcp -s NAME [--http ADDR] (docs/mcp.md)
void add_mcp_command(CLI::App& app, CommandAction& selected);
// deskbox token add|list|revoke (agents' MCP tokens)
void add_token_command(CLI::App& app, CommandAction& selected);
// add|list|revoke NAME under `parent`, for one kind of token (also `deskbox console token`)
void add_token_subcommands(CLI::App& parent, TokenKind kind, CommandAction& selected);
// deskbox console [--listen ADDR] and deskbox console token add|list|revoke
void add_console_command(CLI::App& app, CommandAction& selected);

}  // namespace deskbox
