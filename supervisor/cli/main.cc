// The deskbox executable. Kept thin: everything lives in the core library.
#include "supervisor/cli/cli.h"

int main(int argc, char** argv) {
    return deskbox::run_cli(argc, argv);
}
