// `verify: spreadsheet`: LibreOffice itself reads the office file (.ods,
// .xlsx, .csv...) — headless, inside the sandbox, as the app user, with its
// own throw-away profile so it never talks to a Calc the agent has open — and
// converts the sheet to CSV, which sheet_cells.h compares. The conversion is
// a spawned command waited for on the session's loop (host_command.h), with a
// timeout (coreutils `timeout` kills its whole process group) and bounded
// output.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/manifest/manifest.h"
#include "supervisor/manifest/sheet_cells.h"
#include "supervisor/session/sandbox_files.h"

namespace deskbox {

struct OfficeConverter {
    EventLoop& loop;
    Spawner& spawner;              // starts processes inside the sandbox
    std::vector<std::string> env;  // the sandbox's base environment
    const SandboxFiles& files;
    std::function<bool()> interrupted;  // a stop request ends the conversion
};

// The argv of one conversion: `timeout` around soffice --convert-to csv.
std::vector<std::string> office_csv_argv(const std::string& file, const std::string& work_dir, int sheet,
                                         Millis timeout);

// Converts the check's sheet; returns the CSV text (at most 16 MiB). Throws
// deskbox::Error with LibreOffice's exit and output when it fails.
std::string convert_sheet_to_csv(const OfficeConverter& office, const VerifyCheck& check);

}  // namespace deskbox
