// Command-line front end. Each subcommand lives in its own cmd_*.cc file and
// registers itself through commands.h; exit codes are documented in docs/cli.md.
#pragma once

namespace deskbox {

// Exit codes shared by all subcommands.
enum ExitCode : int {
    kExitOk = 0,            // success; for check: admitted
    kExitFailure = 1,       // the operation failed or was refused; for check: blocked
    kExitInvalid = 2,       // invalid input file (manifest, policy, audit log)
    kExitVerifyFailed = 3,  // run, verify: a final-state verify check failed
    kExitUsage = 64,        // bad command line (EX_USAGE)
};

int run_cli(int argc, char** argv);

}  // namespace deskbox
