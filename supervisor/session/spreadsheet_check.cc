#include "supervisor/session/spreadsheet_check.h"

#include <signal.h>
#include <sys/random.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>

#include "supervisor/base/error.h"
#include "supervisor/base/units.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/host_command.h"

namespace deskbox {
namespace {

constexpr std::size_t kMaxCsvBytes = 16u << 20;
constexpr std::size_t kMaxOfficeOutput = 4096;
// Token 12 of the CSV filter options is the sheet (1-based); the others:
// ',' '"' UTF-8, from line 1, cells as shown, quote all text off.
constexpr const char* kCsvFilter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,";

std::string random_suffix() {
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) throw_errno("getrandom");
    std::string hex;
    char two[3];
    for (unsigned char b : bytes) {
        std::snprintf(two, sizeof two, "%02x", b);
        hex += two;
    }
    return hex;
}

std::string inside_path(const std::string& path) {
    return sandbox::expand_app_home(path);
}

}  // namespace

std::vector<std::string> office_csv_argv(const std::string& file, const std::string& work_dir, int sheet,
                                         Millis timeout) {
    const long seconds = std::max<long>(1, static_cast<long>((timeout.count() + 999) / 1000));
    return {"timeout",
            "-k",
            "5",
            std::to_string(seconds),
            "soffice",
            "-env:UserInstallation=file://" + work_dir + "/profile",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            std::string(kCsvFilter) + std::to_string(sheet),
            "--outdir",
            work_dir + "/out",
            inside_path(file)};
}

std::string convert_sheet_to_csv(const OfficeConverter& office, const VerifyCheck& check) {
    const std::string work = "/tmp/.deskbox-verify-" + random_suffix();
    SpawnRequest request;
    request.name = "spreadsheet check " + check.path;
    request.argv = office_csv_argv(check.path, work, check.sheet, check.timeout);
    request.env = office.env;
    HostCommandOptions options;
    // `timeout` inside ends LibreOffice first; this only catches a hung `timeout`.
    options.timeout = check.timeout + Millis(10'000);
    options.max_output = kMaxOfficeOutput;
    options.interrupted = office.interrupted;
    Spawner& spawner = office.spawner;
    // SIGTERM to `timeout` is passed on to LibreOffice's whole group, SIGKILL after 5 s.
    const HostCommandResult result = run_spawned_command(
        office.loop, spawner, std::move(request), [&spawner](ProcessId pid) { spawner.signal(pid, SIGTERM); }, options);
    if (result.end != HostCommandResult::End::Exited || !WIFEXITED(result.wait_status) ||
        WEXITSTATUS(result.wait_status) != 0) {
        std::string why = "LibreOffice could not convert " + check.path + ": ";
        if (result.end == HostCommandResult::End::Exited && WIFEXITED(result.wait_status) &&
            WEXITSTATUS(result.wait_status) == 124)
            why += "timed out after " + format_duration(check.timeout);
        else
            why += describe_host_command_end(result);
        if (!result.output.empty()) why += "; it said: " + result.output;
        throw Error(why);
    }
    // The file is named after the sheet ("budget-Sheet1.csv"): take the one there is.
    // No folder at all: LibreOffice could not open the file (it still exits 0).
    std::vector<std::string> names;
    try {
        names = office.files.list_folder(work + "/out");
    } catch (const Error&) {
    }
    if (names.size() != 1)
        throw Error("LibreOffice wrote " + std::to_string(names.size()) + " CSV files for " + check.path +
                    ", expected one (is it there, and does it have a sheet " + std::to_string(check.sheet) + "?)" +
                    (result.output.empty() ? std::string() : "; it said: " + result.output));
    return office.files.read(work + "/out/" + names[0], kMaxCsvBytes);
}

}  // namespace deskbox
