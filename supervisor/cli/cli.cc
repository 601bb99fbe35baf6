#include "supervisor/cli/cli.h"

#include <iostream>

#include "supervisor/base/error.h"
#include "supervisor/cli/commands.h"

namespace deskbox {
namespace {

// Every subcommand, in the order --help lists them.
constexpr CommandRegistrar kCommands[] = {
    add_check_command, add_run_command,        add_status_command,  add_list_command,  add_act_command,
    add_tree_command,  add_screenshot_command, add_review_commands, add_audit_command, add_demo_command,
    add_token_command, add_mcp_command,        add_console_command,
};

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{
        "deskbox: a desktop sandbox supervisor for computer-use agents.\n"
        "Runs GUI apps in a sandboxed session; the agent proposes actions, a policy decides,\n"
        "reviewers approve what is risky, and every decision is audited.",
        "deskbox"};
    app.set_version_flag("--version", std::string("deskbox ") + DESKBOX_VERSION);
    app.require_subcommand(1);
    app.footer(
        "Run 'deskbox help COMMAND' or 'deskbox COMMAND --help' for a command's options.\n"
        "Exit codes: 0 success, 1 refused or failed, 2 invalid input file, 64 bad command line.");

    CommandAction selected;
    for (CommandRegistrar add : kCommands) add(app, selected);

    std::string help_topic;
    CLI::App* help = app.add_subcommand("help", "Show help for a command");
    help->add_option("command", help_topic, "The command to explain");
    help->callback([&] {
        selected = [&]() -> int {
            if (help_topic.empty()) {
                std::cout << app.help();
                return kExitOk;
            }
            try {
                CLI::App* sub = app.get_subcommand(help_topic);
                std::cout << sub->help();
                return kExitOk;
            } catch (const CLI::OptionNotFound&) {
                std::cerr << "deskbox help: no command named '" << help_topic << "'\n";
                return kExitUsage;
            }
        };
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    if (!selected) return kExitUsage;
    try {
        return selected();
    } catch (const InputError& e) {
        std::cerr << e.what() << "\n";
        return kExitInvalid;
    } catch (const Error& e) {
        std::cerr << "deskbox: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "deskbox: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace deskbox
