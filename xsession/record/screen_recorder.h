// Recording a session's screen to a video file, off the session's event loop:
// the supervisor captures the screen itself (its own X connection, MIT-SHM)
// when XDamage says something was drawn, at most `fps` times a second, and
// hands each frame with its timestamp to an ffmpeg child (started through
// HostSpawner) that encodes VP8 into WebM (docs/ARCHITECTURE.md says why).
//
// Nothing here blocks the loop: frames go through a non-blocking socket; a
// change that comes while the encoder has not yet taken the previous frame is
// sent at the next tick instead (counted as a dropped frame). The encoder
// dying, the file reaching max_bytes or the recording reaching max_duration
// stop the recording (reported through `on_warning`); the session goes on.
//
// Time base: video time 0 is started_unix_ms() (wall clock, the audit log's
// clock); frame times are monotonic milliseconds since then, so a record at
// wall time T is at video offset T - started_unix_ms() (docs/audit.md).
#pragma once

#include <X11/Xlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/host_spawner.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/base/units.h"
#include "xsession/capture/screen_capture.h"
#include "xsession/display/x_connection.h"

namespace deskbox {

struct RecorderOptions {
    std::filesystem::path output;   // the WebM file; created here (0600), must not exist yet
    int fps = 5;                    // at most this many frames a second (none while the screen is still)
    std::uint64_t max_bytes = 0;    // stop once the file is this big (0: no bound)
    Millis max_duration{0};         // stop after this long (0: no bound)
    std::string ffmpeg = "ffmpeg";  // looked up in PATH of `env`
    std::vector<std::string> env;   // the encoder's environment
};

struct RecorderSummary {
    std::uint64_t frames = 0;   // frames the encoder received (the closing frame included)
    std::uint64_t dropped = 0;  // ticks whose change waited because the encoder was still busy
    Millis duration{0};         // video time of the last frame
    std::string stopped_by;     // "session end", "max_bytes", "max_seconds", "encoder ended", "display lost"
    std::string encoder_end;    // "exited with status 0", "killed by signal 9", ...
    bool encoder_ok = false;    // the encoder finished the file normally (exit status 0)
};

class ScreenRecorder {
public:
    using Warning = std::function<void(const std::string& what, const std::string& detail)>;

    // Takes its own X connection (events of its DAMAGE object are read here).
    // Starts the encoder and sends the first frame. Throws deskbox::Error when
    // the file, the encoder or DAMAGE is not available.
    ScreenRecorder(EventLoop& loop, XConnection x, RecorderOptions options, Warning on_warning);
    ~ScreenRecorder();
    ScreenRecorder(const ScreenRecorder&) = delete;
    ScreenRecorder& operator=(const ScreenRecorder&) = delete;

    std::int64_t started_unix_ms() const { return started_unix_ms_; }
    int width() const { return width_; }
    int height() const { return height_; }
    const std::filesystem::path& output() const { return options_.output; }
    bool recording() const { return state_ == State::Recording; }
    std::uint64_t frames() const { return summary_.frames; }
    std::uint64_t dropped() const { return summary_.dropped; }
    ProcessId encoder_pid() const { return encoder_; }  // a host pid (benchmarks read its CPU time)

    // Ends the recording (idempotent): a closing frame at the current time, so
    // that the video spans the whole recording, then the end of the encoder's
    // input; waits for the encoder by running the loop, at most `timeout`,
    // then kills it.
    RecorderSummary finish(Millis timeout);

private:
    enum class State { Recording, Draining, Closed };

    void tick();
    void read_x_events();
    void send_frame(bool closing);
    void flush();
    bool busy() const;  // a frame is still being handed to the encoder
    void stop(const std::string& by, const std::string& what, const std::string& detail);
    void close_input();
    void encoder_exited(int wait_status);
    std::uint64_t now_ms() const;

    EventLoop& loop_;
    XConnection x_;
    RecorderOptions options_;
    Warning on_warning_;
    std::unique_ptr<ScreenCapture> capture_;
    unsigned long damage_ = 0;
    int damage_event_base_ = 0;
    bool dirty_ = true;  // the first tick sends a frame
    int width_ = 0, height_ = 0;

    std::unique_ptr<HostSpawner> spawner_;
    ProcessId encoder_ = 0;
    std::optional<int> encoder_status_;
    UniqueFd input_;  // our end of the encoder's stdin (a socket: MSG_NOSIGNAL, no SIGPIPE)
    bool input_watched_ = false;
    std::vector<std::uint8_t> pending_;  // the frame being written
    std::size_t pending_done_ = 0;

    EventLoop::TimerId tick_timer_ = 0, bound_timer_ = 0;
    std::int64_t started_mono_ms_ = 0, started_unix_ms_ = 0;
    std::uint64_t last_frame_ms_ = 0;
    State state_ = State::Recording;
    RecorderSummary summary_;
};

}  // namespace deskbox
