// A non-blocking JSON-lines connection on the EventLoop: one JSON object per
// line in, one JSON object per line out. Generic: the agent socket and the
// reviewer socket both use it; what a request means is the handler's business.
//
// What the channel guarantees, whatever the peer sends:
// - a line longer than `max_line` bytes gets one "line_too_long" error reply;
//   the rest of that line is discarded and the connection stays usable;
// - invalid UTF-8, invalid JSON, nesting deeper than `max_depth` and
//   non-object values each get an error reply (never a crash, never a silent
//   drop); blank lines are ignored;
// - replies are queued and written as the peer reads them; while the queue is
//   above `high_water` bytes or `max_in_flight` requests are unanswered, the
//   channel stops reading (backpressure), so a peer cannot make it buffer
//   without bound;
// - when the channel closes it says why (close handler's `reason`).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

using Json = nlohmann::json;

struct PeerCredentials {
    pid_t pid = -1;
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
};

struct JsonlLimits {
    std::size_t max_line = 1 << 20;    // bytes per request line, newline excluded
    int max_depth = 32;                // nesting of arrays/objects
    std::size_t high_water = 8 << 20;  // stop reading while more than this is queued out
    std::size_t max_in_flight = 16;    // unanswered requests before reading pauses
};

// The error object every malformed line gets (and handlers may reuse):
// {"ok":false,"error":{"code":CODE,"message":MESSAGE}} plus "id" when known.
Json make_error_reply(std::string_view code, std::string_view message, const Json* id = nullptr);

// Checks a line as the channel does; returns the parsed object or fills
// `error` with the reply. Exposed for the fuzzer and unit tests.
struct LineParse {
    bool ok = false;
    Json value;  // the request object when ok, otherwise the error reply
};
LineParse parse_request_line(std::string_view line, const JsonlLimits& limits);

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF). Returns the
// byte offset of the first invalid sequence, or npos when valid.
std::size_t find_invalid_utf8(std::string_view text);

class JsonlConnection : public std::enable_shared_from_this<JsonlConnection> {
public:
    // Called once per request object. The handler must eventually call
    // reply(..., final=true) exactly once for it (at once or later); it may
    // send interim lines (final=false) before that. If it throws, the channel
    // replies with an "internal" error for it.
    using RequestHandler = std::function<void(const std::shared_ptr<JsonlConnection>&, Json request)>;
    using CloseHandler = std::function<void(JsonlConnection&, const std::string& reason)>;

    // Takes a connected, non-blocking stream socket.
    static std::shared_ptr<JsonlConnection> create(EventLoop& loop, UniqueFd fd, JsonlLimits limits,
                                                   RequestHandler on_request, CloseHandler on_close);
    ~JsonlConnection();
    JsonlConnection(const JsonlConnection&) = delete;
    JsonlConnection& operator=(const JsonlConnection&) = delete;

    // Queues one line. `final` marks the last reply to one request.
    void reply(const Json& message, bool final = true);
    // Same, for a line serialized by the caller (one JSON object, no newline).
    void reply_line(std::string_view serialized, bool final = true);
    // Queues a line that answers no request (e.g. a notification).
    void send(const Json& message) { reply(message, false); }
    // Closes now, dropping what is still queued. Safe to call twice.
    void close(const std::string& reason);

    bool closed() const { return !fd_; }
    int fd() const { return fd_.get(); }
    const PeerCredentials& peer() const { return peer_; }
    std::uint64_t id() const { return id_; }
    std::size_t queued_bytes() const { return out_.size() - out_offset_; }
    std::size_t in_flight() const { return in_flight_; }
    // A name the handler gives the peer (the agent socket's `identify`);
    // empty until then.
    const std::string& label() const { return label_; }
    void set_label(std::string label) { label_ = std::move(label); }

private:
    JsonlConnection(EventLoop& loop, UniqueFd fd, JsonlLimits limits, RequestHandler on_request, CloseHandler on_close);
    void start();
    void on_events(std::uint32_t events);
    void read_available();
    void process_buffered();
    bool may_process() const;
    std::size_t buffered() const;
    void handle_line(std::string_view line);
    void flush();
    void update_interest();
    void maybe_finish_after_eof();

    EventLoop& loop_;
    UniqueFd fd_;
    JsonlLimits limits_;
    RequestHandler on_request_;
    CloseHandler on_close_;
    PeerCredentials peer_;
    std::uint64_t id_;
    std::string in_;  // received bytes; in_[in_start_..] not yet handled
    std::size_t in_start_ = 0;
    bool discarding_ = false;  // inside an over-long line, dropping until '\n'
    bool processing_ = false;  // inside process_buffered (handlers may reply synchronously)
    bool resume_posted_ = false;
    bool peer_eof_ = false;  // the peer shut down its write side
    std::string out_;
    std::size_t out_offset_ = 0;
    std::size_t in_flight_ = 0;
    std::uint32_t interest_ = 0;
    std::string label_;
};

}  // namespace deskbox
