#include "supervisor/control/jsonl_channel.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

std::atomic<std::uint64_t> next_connection_id{1};

constexpr std::size_t kReadChunk = 64 * 1024;

// Depth of [ and { outside strings, without building anything: a line of a
// million '[' must be refused before a parser sees it.
int max_nesting(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > limit) return depth;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return depth < 0 ? 0 : depth;
}

const char* type_name(const Json& value) {
    if (value.is_array()) return "an array";
    if (value.is_string()) return "a string";
    if (value.is_number()) return "a number";
    if (value.is_boolean()) return "a boolean";
    if (value.is_null()) return "null";
    return "a non-object value";
}

}  // namespace

Json make_error_reply(std::string_view code, std::string_view message, const Json* id) {
    Json reply = Json::object();
    if (id != nullptr && !id->is_null()) reply["id"] = *id;
    reply["ok"] = false;
    reply["error"] = {{"code", std::string(code)}, {"message", std::string(message)}};
    return reply;
}

std::size_t find_invalid_utf8(std::string_view text) {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;  // continuation byte, 0xC0/0xC1 (overlong) or > 0xF4
        }
        if (i + len > n) return i;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return std::string_view::npos;
}

LineParse parse_request_line(std::string_view line, const JsonlLimits& limits) {
    LineParse result;
    if (line.size() > limits.max_line) {
        result.value = make_error_reply("line_too_long",
                                        "request line is longer than " + std::to_string(limits.max_line) + " bytes");
        return result;
    }
    if (const std::size_t bad = find_invalid_utf8(line); bad != std::string_view::npos) {
        result.value = make_error_reply("invalid_utf8",
                                        "request line is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
        return result;
    }
    if (max_nesting(line, limits.max_depth) > limits.max_depth) {
        result.value = make_error_reply(
            "too_deep", "request nests arrays/objects deeper than " + std::to_string(limits.max_depth) + " levels");
        return result;
    }
    Json value;
    try {
        value = Json::parse(line);
    } catch (const Json::exception& e) {
        // parse_error for syntax, out_of_range for numbers like 9e9999.
        // e.what() is "[json.exception.parse_error.101] parse error at line 1, column N: ..."
        std::string what = e.what();
        if (const auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
        result.value = make_error_reply("invalid_json", "request line is not valid JSON: " + what);
        return result;
    }
    if (!value.is_object()) {
        result.value =
            make_error_reply("not_an_object", std::string("request must be a JSON object, got ") + type_name(value));
        return result;
    }
    result.ok = true;
    result.value = std::move(value);
    return result;
}

std::shared_ptr<JsonlConnection> JsonlConnection::create(EventLoop& loop, UniqueFd fd, JsonlLimits limits,
                                                         RequestHandler on_request, CloseHandler on_close) {
    std::shared_ptr<JsonlConnection> conn(
        new JsonlConnection(loop, std::move(fd), limits, std::move(on_request), std::move(on_close)));
    conn->start();
    return conn;
}

JsonlConnection::JsonlConnection(EventLoop& loop, UniqueFd fd, JsonlLimits limits, RequestHandler on_request,
                                 CloseHandler on_close)
    : loop_(loop),
      fd_(std::move(fd)),
      limits_(limits),
      on_request_(std::move(on_request)),
      on_close_(std::move(on_close)),
      id_(next_connection_id++) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        peer_.pid = cred.pid;
        peer_.uid = cred.uid;
        peer_.gid = cred.gid;
    }
}

JsonlConnection::~JsonlConnection() {
    if (fd_) loop_.remove_fd(fd_.get());
}

void JsonlConnection::start() {
    interest_ = EPOLLIN | EPOLLRDHUP;
    std::weak_ptr<JsonlConnection> weak = weak_from_this();
    loop_.add_fd(fd_.get(), interest_, [weak](std::uint32_t events) {
        // Holding a strong reference keeps the connection alive while its own
        // callback runs, even if the close handler drops the owner's copy.
        if (auto self = weak.lock()) self->on_events(events);
    });
}

void JsonlConnection::on_events(std::uint32_t events) {
    if (closed()) return;
    if (events & EPOLLOUT) flush();
    if (closed()) return;
    if (events & EPOLLERR) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        close("connection error: " + errno_text(err != 0 ? err : EIO));
        return;
    }
    const bool may_read = !peer_eof_ && may_process();
    if (may_read && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) read_available();
    // A full hang-up is reported whatever we asked for; when there is nothing
    // left to read (or we may not read now) nobody can receive replies anyway.
    else if (events & EPOLLHUP)
        close("peer hung up");
    if (!closed()) update_interest();
}

bool JsonlConnection::may_process() const {
    return !closed() && queued_bytes() <= limits_.high_water && in_flight_ < limits_.max_in_flight;
}

void JsonlConnection::read_available() {
    process_buffered();
    char buf[kReadChunk];
    // Reading stops while replies back up or too many requests are open; the
    // bytes stay in the socket, so the peer's writes block instead of ours growing.
    while (!peer_eof_ && may_process() && buffered() == 0 /* only complete lines wait here */) {
        const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            close("reading from peer: " + errno_text(errno));
            return;
        }
        if (n == 0)
            peer_eof_ = true;
        else
            in_.append(buf, static_cast<std::size_t>(n));
        process_buffered();
        if (n == 0) break;
    }
    if (!closed()) maybe_finish_after_eof();
}

std::size_t JsonlConnection::buffered() const {
    // Bytes of complete lines not yet handled: an incomplete tail does not count
    // (more bytes must be read to finish it).
    const std::size_t nl = in_.rfind('\n');
    return nl == std::string::npos || nl < in_start_ ? 0 : nl + 1 - in_start_;
}

void JsonlConnection::process_buffered() {
    if (processing_) return;  // a handler replied synchronously; the outer loop continues
    processing_ = true;
    while (may_process() && in_start_ < in_.size()) {
        const std::size_t nl = in_.find('\n', in_start_);
        if (discarding_) {
            if (nl == std::string::npos) {
                in_start_ = in_.size();
                break;
            }
            discarding_ = false;
            in_start_ = nl + 1;
            continue;
        }
        std::size_t end = nl == std::string::npos ? in_.size() : nl;
        std::size_t len = end - in_start_;
        if (len > 0 && in_[end - 1] == '\r') --len;  // the terminator is not part of the limit
        if (len > limits_.max_line) {
            reply(make_error_reply("line_too_long", "request line is longer than " + std::to_string(limits_.max_line) +
                                                        " bytes; discarded up to the next newline"),
                  false);
            discarding_ = nl == std::string::npos;
            in_start_ = nl == std::string::npos ? in_.size() : nl + 1;
            continue;
        }
        if (nl == std::string::npos) {
            if (!peer_eof_) break;  // wait for the rest of the line
            // A last request without a trailing newline still counts.
            const std::string last = in_.substr(in_start_);
            in_start_ = in_.size();
            handle_line(last);
            continue;
        }
        const std::string line = in_.substr(in_start_, len);
        in_start_ = nl + 1;
        handle_line(line);
    }
    if (in_start_ == in_.size()) {
        in_.clear();
        in_start_ = 0;
    } else if (in_start_ > kReadChunk) {
        in_.erase(0, in_start_);
        in_start_ = 0;
    }
    processing_ = false;
}

void JsonlConnection::handle_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
    LineParse parsed = parse_request_line(line, limits_);
    if (!parsed.ok) {
        reply(parsed.value, false);
        return;
    }
    Json id = parsed.value.contains("id") ? parsed.value["id"] : Json();
    ++in_flight_;
    auto self = shared_from_this();
    try {
        on_request_(self, std::move(parsed.value));
    } catch (const std::exception& e) {
        reply(make_error_reply("internal", std::string("handling request: ") + e.what(), &id), true);
    }
}

void JsonlConnection::reply(const Json& message, bool final) {
    // Replacement keeps a reply writable even if a handler echoes bad bytes.
    reply_line(message.dump(-1, ' ', false, Json::error_handler_t::replace), final);
}

void JsonlConnection::reply_line(std::string_view serialized, bool final) {
    if (final && in_flight_ > 0) --in_flight_;
    if (closed()) return;
    out_ += serialized;
    out_ += '\n';
    flush();
    if (closed()) return;
    if (final && !processing_ && buffered() > 0 && !resume_posted_) {
        // Requests held back by the in-flight cap: handle them from the loop,
        // not inside the caller's stack.
        resume_posted_ = true;
        std::weak_ptr<JsonlConnection> weak = weak_from_this();
        loop_.post([weak] {
            if (auto self = weak.lock()) {
                self->resume_posted_ = false;
                self->read_available();
                if (!self->closed()) self->update_interest();
            }
        });
    }
    update_interest();
    maybe_finish_after_eof();
}

void JsonlConnection::flush() {
    while (!closed() && out_offset_ < out_.size()) {
        const ssize_t n =
            ::send(fd_.get(), out_.data() + out_offset_, out_.size() - out_offset_, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            close("writing to peer: " + errno_text(errno));
            return;
        }
        out_offset_ += static_cast<std::size_t>(n);
    }
    if (out_offset_ == out_.size()) {
        out_.clear();
        out_offset_ = 0;
    } else if (out_offset_ > (1u << 20)) {
        out_.erase(0, out_offset_);  // keep the buffer from growing with what was sent
        out_offset_ = 0;
    }
}

void JsonlConnection::update_interest() {
    if (closed()) return;
    std::uint32_t want = 0;
    if (!peer_eof_ && may_process() && buffered() == 0) want |= EPOLLIN | EPOLLRDHUP;
    if (queued_bytes() > 0) want |= EPOLLOUT;
    if (want != interest_) {
        interest_ = want;
        loop_.modify_fd(fd_.get(), want);
    }
    // Reading resumes on a level-triggered EPOLLIN, so buffered requests that
    // were waiting for backpressure to clear are picked up on the next round.
}

void JsonlConnection::maybe_finish_after_eof() {
    if (peer_eof_ && !processing_ && in_start_ == in_.size() && in_flight_ == 0 && queued_bytes() == 0)
        close("peer closed the connection");
}

void JsonlConnection::close(const std::string& reason) {
    if (closed()) return;
    loop_.remove_fd(fd_.get());
    fd_.reset();
    out_.clear();
    out_offset_ = 0;
    auto keep = shared_from_this();  // the handler may drop the owner's reference
    if (on_close_) on_close_(*this, reason);
}

}  // namespace deskbox
