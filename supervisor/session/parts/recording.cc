#include "supervisor/session/parts/recording.h"

#include <sys/stat.h>
#include <time.h>

#include <iostream>

#include "supervisor/audit/audit_log.h"
#include "supervisor/audit/audit_record.h"
#include "supervisor/base/error.h"
#include "supervisor/session/paths.h"
#include "xsession/record/screen_recorder.h"

extern char** environ;

namespace deskbox {

namespace {

// How long teardown waits for the encoder to finish the file.
constexpr Millis kFinishTimeout{20'000};

// "20261130T154138Z": the recording's start, safe in a file name.
std::string file_stamp(std::int64_t unix_ms) {
    const time_t seconds = static_cast<time_t>(unix_ms / 1000);
    tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
    return text;
}

std::vector<std::string> supervisor_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
}

}  // namespace

RecordingPart::RecordingPart(const RecordSpec& spec, const DisplayPart& display, SessionControl& control,
                             AuditLog& audit)
    : control_(control), audit_(audit) {
    // Beside the kept audit log, as private as the log itself.
    const auto dir = logs_dir(control.name()) / "recordings";
    std::filesystem::create_directories(dir);
    if (::chmod(dir.c_str(), 0700) != 0) throw_errno("making " + dir.string() + " private");
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    file_ = "recordings/" + file_stamp(static_cast<std::int64_t>(now.tv_sec) * 1000) + ".webm";

    RecorderOptions options;
    options.output = logs_dir(control.name()) / file_;
    options.fps = spec.fps;
    options.max_bytes = spec.max_bytes;
    options.max_duration = Millis(spec.max_seconds * 1000);
    options.env = supervisor_environment();
    AuditLog* log = &audit_;
    recorder_ = std::make_unique<ScreenRecorder>(
        control.loop(), display.connect(), options,
        [log, file = file_](const std::string& what, const std::string& detail) {
            log->append("warning", {{"what", what}, {"error", detail}, {"file", file}});
        });
    audit_.append("recording",
                  {{"event", "started"},
                   {"file", file_},
                   {"started", audit_time(recorder_->started_unix_ms())},
                   {"started_unix_ms", recorder_->started_unix_ms()},
                   {"fps", spec.fps},
                   {"width", recorder_->width()},
                   {"height", recorder_->height()},
                   {"container", "webm"},
                   {"codec", "vp8"},
                   {"max_bytes", spec.max_bytes},
                   {"max_seconds", spec.max_seconds}},
                  Durability::Sync);
}

RecordingPart::~RecordingPart() = default;

void RecordingPart::stop() {
    if (!recorder_) return;
    const RecorderSummary summary = recorder_->finish(kFinishTimeout);
    const std::filesystem::path path = recorder_->output();
    // Its X connection goes while the display is still there.
    recorder_.reset();
    nlohmann::json record = {{"event", "finished"},
                             {"file", file_},
                             {"frames", summary.frames},
                             {"dropped", summary.dropped},
                             {"duration_ms", summary.duration.count()},
                             {"stopped_by", summary.stopped_by},
                             {"encoder", summary.encoder_end}};
    try {
        const FileDigest digest = sha256_of_file(path);
        record["sha256"] = digest.sha256;
        record["bytes"] = digest.bytes;
    } catch (const Error& e) {
        record["error"] = e.what();
    }
    if (!summary.encoder_ok)
        audit_.append("warning",
                      {{"what", "the recording may be incomplete: the video encoder did not finish normally"},
                       {"error", summary.encoder_end},
                       {"file", file_}});
    audit_.append("recording", record, Durability::Sync);
    control_.report("recording " + file_ + ": " + std::to_string(summary.frames) + " frames, " +
                    std::to_string(summary.dropped) + " dropped, stopped by " + summary.stopped_by);
}

}  // namespace deskbox
