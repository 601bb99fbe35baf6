#include "xsession/record/screen_recorder.h"

#include <X11/extensions/Xdamage.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "supervisor/base/error.h"
#include "xsession/display/xvfb.h"
#include "xsession/record/raw_video_stream.h"

namespace deskbox {

namespace {

// The longest the loop is left to itself while finish() waits (events wake it sooner).
constexpr Millis kSlice{100};
// Room for one full frame in the socket, so that a frame usually goes in one
// call; the kernel caps it (SO_SNDBUFFORCE needs CAP_NET_ADMIN).
constexpr int kSendBuffer = 8 << 20;

std::vector<std::string> encoder_argv(const RecorderOptions& o) {
    // VP8 in WebM: every browser plays it; "realtime" with the fastest speed
    // setting keeps one frame's encoding in milliseconds. One thread: the
    // recording must not take the session's CPU. Timestamps come from the
    // input stream and are kept as they are (variable frame rate). Clusters
    // close every second, so the file grows (and max_bytes is seen) as it goes.
    return {o.ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-f", "matroska", "-i", "pipe:0",
            "-map", "0:v:0", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-threads", "1", "-crf", "10",
            "-b:v", "2M", "-g", "150", "-auto-alt-ref", "0", "-pix_fmt", "yuv420p",
            // The encoder's time base is the stream's millisecond: by default FFmpeg guesses one from
            // the first frames' rate (1/9 s, 1/16 s) and rounds every later time to it.
            "-fps_mode", "passthrough", "-enc_time_base", "1:1000", "-cluster_time_limit", "1000",
            // Written through at once, not in 32 KiB pieces: max_bytes looks at the file's size.
            "-flush_packets", "1", "-f", "webm", "-y", o.output.string()};
}

std::int64_t unix_ms_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

ScreenRecorder::ScreenRecorder(EventLoop& loop, XConnection x, RecorderOptions options, Warning on_warning)
    : loop_(loop), x_(std::move(x)), options_(std::move(options)), on_warning_(std::move(on_warning)) {
    if (options_.fps < 1) throw Error("recording the screen: fps must be at least 1");
    Display* dpy = x_.get();
    width_ = x_.width();
    height_ = x_.height();
    int error_base = 0;
    if (!XDamageQueryExtension(dpy, &damage_event_base_, &error_base))
        throw Error("recording the screen: the X server has no DAMAGE extension");
    damage_ = XDamageCreate(dpy, x_.root(), XDamageReportNonEmpty);
    x_.sync();
    capture_ = std::make_unique<ScreenCapture>(dpy);

    {
        const UniqueFd file(
            ::open(options_.output.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!file) throw_errno("creating the recording " + options_.output.string());
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw_errno("recording the screen: socketpair");
    input_.reset(sv[0]);
    UniqueFd encoder_end(sv[1]);
    shutdown(input_.get(), SHUT_RD);
    if (setsockopt(input_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &kSendBuffer, sizeof kSendBuffer) != 0)
        setsockopt(input_.get(), SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
    const UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!null) throw_errno("recording the screen: opening /dev/null");

    spawner_ = std::make_unique<HostSpawner>(loop_);
    SpawnRequest request;
    request.name = "video encoder";
    request.argv = encoder_argv(options_);
    request.env = options_.env;
    // Its errors go to the supervisor's stderr, the session log.
    request.fds = {{encoder_end.get(), 0}, {null.get(), 1}, {STDERR_FILENO, 2}};
    encoder_ = spawner_->spawn(request, [this](int status) { encoder_exited(status); });

    started_mono_ms_ = monotonic_ms();
    started_unix_ms_ = unix_ms_now();
    loop_.add_fd(ConnectionNumber(dpy), EPOLLIN, [this](std::uint32_t) { read_x_events(); });
    send_frame(false);
    tick_timer_ = loop_.add_timer(Millis(1000 / options_.fps), [this] { tick(); });
    if (options_.max_duration.count() > 0)
        bound_timer_ = loop_.add_timer(options_.max_duration, [this] {
            bound_timer_ = 0;
            if (state_ != State::Recording) return;
            send_frame(true);  // the video reaches the bound
            stop("max_seconds", "recording stopped: max_seconds reached",
                 "after " + format_duration(options_.max_duration));
        });
}

ScreenRecorder::~ScreenRecorder() {
    if (tick_timer_) loop_.cancel_timer(tick_timer_);
    if (bound_timer_) loop_.cancel_timer(bound_timer_);
    if (state_ == State::Recording) loop_.remove_fd(ConnectionNumber(x_.get()));
    if (input_watched_) loop_.remove_fd(input_.get());
    input_.reset();
    if (damage_ && !x_.lost()) XDamageDestroy(x_.get(), damage_);
    capture_.reset();
    spawner_.reset();  // stops an encoder that is still running
}

std::uint64_t ScreenRecorder::now_ms() const {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, monotonic_ms() - started_mono_ms_));
}

void ScreenRecorder::read_x_events() {
    if (x_.lost()) {
        stop("display lost", "recording stopped: the X display was lost", "");
        return;
    }
    Display* dpy = x_.get();
    while (XPending(dpy) > 0) {
        XEvent event;
        XNextEvent(dpy, &event);
        if (event.type == damage_event_base_ + XDamageNotify) dirty_ = true;
    }
}

void ScreenRecorder::tick() {
    tick_timer_ = 0;
    if (state_ != State::Recording) return;
    tick_timer_ = loop_.add_timer(Millis(1000 / options_.fps), [this] { tick(); });
    read_x_events();  // events already read into Xlib's queue do not wake epoll
    if (state_ != State::Recording) return;
    if (options_.max_bytes > 0) {
        struct stat st {};
        if (::stat(options_.output.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) >= options_.max_bytes) {
            stop("max_bytes", "recording stopped: max_bytes reached",
                 std::to_string(st.st_size) + " bytes of " + std::to_string(options_.max_bytes));
            return;
        }
    }
    if (dirty_) send_frame(false);
}

void ScreenRecorder::send_frame(bool closing) {
    if (busy()) {
        // The encoder has not taken the previous frame yet: never wait for it.
        // The change stays marked and goes with the next tick.
        if (!closing) ++summary_.dropped;
        return;
    }
    pending_.clear();
    pending_done_ = 0;
    if (summary_.frames == 0) {
        const std::string header = raw_video_stream_header(width_, height_);
        pending_.assign(header.begin(), header.end());
    }
    RgbImage image;
    try {
        // Damage from here on is a new change.
        XDamageSubtract(x_.get(), damage_, None, None);
        dirty_ = false;
        image = capture_->capture();
    } catch (const Error& e) {
        stop("display lost", "recording stopped: the screen could not be captured", e.what());
        return;
    }
    if (image.width != width_ || image.height != height_) return;
    std::uint64_t t = now_ms();
    if (summary_.frames > 0 && t <= last_frame_ms_) t = last_frame_ms_ + 1;
    const std::string header = raw_video_frame_header(t, image.pixels.size());
    pending_.insert(pending_.end(), header.begin(), header.end());
    pending_.insert(pending_.end(), image.pixels.begin(), image.pixels.end());
    last_frame_ms_ = t;
    ++summary_.frames;
    summary_.duration = Millis(t);
    flush();
}

void ScreenRecorder::flush() {
    while (input_ && pending_done_ < pending_.size()) {
        const ssize_t n = ::send(input_.get(), pending_.data() + pending_done_, pending_.size() - pending_done_,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            pending_done_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!input_watched_) {
                loop_.add_fd(input_.get(), EPOLLOUT, [this](std::uint32_t) { flush(); });
                input_watched_ = true;
            }
            return;
        }
        // The encoder is gone (EPIPE): nothing more can be sent.
        const std::string why = errno_text(errno);
        pending_.clear();
        pending_done_ = 0;
        stop("encoder ended", "recording stopped: the video encoder stopped reading", why);
        close_input();
        return;
    }
    if (input_watched_) {
        loop_.remove_fd(input_.get());
        input_watched_ = false;
    }
    if (state_ == State::Draining) close_input();
}

bool ScreenRecorder::busy() const {
    return pending_done_ < pending_.size();
}

void ScreenRecorder::stop(const std::string& by, const std::string& what, const std::string& detail) {
    if (state_ != State::Recording) return;
    state_ = State::Draining;
    summary_.stopped_by = by;
    if (tick_timer_) loop_.cancel_timer(tick_timer_);
    if (bound_timer_) loop_.cancel_timer(bound_timer_);
    tick_timer_ = bound_timer_ = 0;
    loop_.remove_fd(ConnectionNumber(x_.get()));
    if (pending_done_ == pending_.size()) close_input();
    if (!what.empty() && on_warning_) on_warning_(what, detail);
}

void ScreenRecorder::close_input() {
    if (input_watched_) {
        loop_.remove_fd(input_.get());
        input_watched_ = false;
    }
    input_.reset();  // end of input: the encoder finishes the file and exits
    state_ = State::Closed;
}

void ScreenRecorder::encoder_exited(int wait_status) {
    encoder_status_ = wait_status;
    if (state_ == State::Closed) return;
    // It ended while we were still sending: the session goes on without a recording.
    pending_.clear();
    pending_done_ = 0;
    stop("encoder ended", "recording stopped: the video encoder ended", describe_wait_status(wait_status));
    close_input();
}

RecorderSummary ScreenRecorder::finish(Millis timeout) {
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    if (state_ == State::Recording) {
        // The closing frame waits for the one in flight (bounded by the timeout).
        while (busy() && !encoder_status_ && monotonic_ms() < deadline) loop_.run_once(kSlice);
        if (!x_.lost() && state_ == State::Recording) send_frame(true);  // the video lasts until now
        stop("session end", "", "");
    }
    while (!encoder_status_ && monotonic_ms() < deadline) {
        loop_.run_once(std::min(Millis(std::max<std::int64_t>(1, deadline - monotonic_ms())), kSlice));
    }
    if (!encoder_status_) {
        // It did not finish in time: the file may lack its index, say so.
        if (state_ != State::Closed) close_input();
        spawner_->signal(encoder_, SIGKILL);
        const std::int64_t kill_deadline = monotonic_ms() + 5000;
        while (!encoder_status_ && monotonic_ms() < kill_deadline) loop_.run_once(kSlice);
        summary_.encoder_end = "did not finish within " + format_duration(timeout) + ", killed";
        summary_.encoder_ok = false;
        return summary_;
    }
    summary_.encoder_end = describe_wait_status(*encoder_status_);
    summary_.encoder_ok = WIFEXITED(*encoder_status_) && WEXITSTATUS(*encoder_status_) == 0;
    return summary_;
}

}  // namespace deskbox
