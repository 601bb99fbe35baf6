// observe.record: the session's screen recorded to a video beside the kept
// audit log (LOGS/recordings/STAMP.webm, private like the log), and audited:
//   recording {event: started, file, started, fps, ...}   video time 0 = `started`
//   warning   {what: "recording stopped: ..."}            a bound, or the encoder died
//   recording {event: finished, file, sha256, bytes, frames, dropped, ...}
// A record at time T is at video offset T - started (docs/audit.md). The
// recording never stops the session: what goes wrong is audited and the
// session goes on.
#pragma once

#include <memory>
#include <string>

#include "supervisor/manifest/manifest.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class AuditLog;
class ScreenRecorder;

class RecordingPart final : public SessionPart {
public:
    // Starts the recorder with its own X connection (in the session's netns)
    // and audits the start. Throws deskbox::Error when it cannot start.
    RecordingPart(const RecordSpec& spec, const DisplayPart& display, SessionControl& control, AuditLog& audit);
    ~RecordingPart() override;

    // Right after the end checks (the video shows them), while the display
    // is still there: ends the video, waits for the encoder (bounded), audits
    // the file's sha256 and size.
    void stop() override;

private:
    SessionControl& control_;
    AuditLog& audit_;
    std::string file_;  // relative to the logs dir, as the records name it
    std::unique_ptr<ScreenRecorder> recorder_;
};

}  // namespace deskbox
