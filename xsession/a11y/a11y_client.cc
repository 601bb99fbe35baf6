#include "xsession/a11y/a11y_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdlib>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "xsession/a11y/a11y_wire.h"
#include "xsession/a11y/osworld_format.h"

#ifndef DESKBOX_A11Y_HELPER_PATH
#define DESKBOX_A11Y_HELPER_PATH "/usr/local/libexec/deskbox/deskbox-a11y"
#endif

namespace deskbox::a11y {

using nlohmann::json;

namespace {

constexpr int kSmallReply = 64 * 1024;

std::pair<UniqueFd, UniqueFd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("creating the a11y helper pipe");
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) throw_errno("making the a11y helper pipe non-blocking");
}

}  // namespace

TreeFormat parse_format(const std::string& text) {
    if (text == "json") return TreeFormat::Json;
    if (text == "osworld_xml" || text == "xml") return TreeFormat::OsworldXml;
    if (text == "linearized") return TreeFormat::Linearized;
    throw Error("unknown tree format '" + text + "' (expected json, osworld_xml or linearized)");
}

std::string default_helper_path() {
    if (const char* env = std::getenv("DESKBOX_A11Y_HELPER"); env && *env) return env;
    return DESKBOX_A11Y_HELPER_PATH;
}

A11yClient::A11yClient(Spawner& spawner, HelperOptions options) : spawner_(spawner), options_(std::move(options)) {
    if (options_.helper_path.empty()) options_.helper_path = default_helper_path();
    auto [helper_stdin, to_helper] = make_pipe();
    auto [from_helper, helper_stdout] = make_pipe();
    SpawnRequest req;
    req.name = "a11y helper";
    req.argv = {options_.helper_path};
    req.env = options_.env;
    req.fds = {{helper_stdin.get(), 0}, {helper_stdout.get(), 1}};
    auto exited = exited_;
    pid_ = spawner_.spawn(req, [exited](int) { exited->store(true); });
    // The child has its copies; ours would keep the pipes open past its death.
    helper_stdin.reset();
    helper_stdout.reset();
    to_helper_ = std::move(to_helper);
    from_helper_ = std::move(from_helper);
    set_nonblocking(to_helper_.get());
    set_nonblocking(from_helper_.get());
    ping();
}

A11yClient::~A11yClient() {
    to_helper_.reset();
    from_helper_.reset();
    if (pid_ > 0 && !exited_->load()) {
        try {
            spawner_.signal(pid_, SIGTERM);
        } catch (...) {
            // Already gone: nothing to stop.
        }
    }
}

void A11yClient::write_line(const std::string& line, std::int64_t deadline_ms) {
    std::size_t off = 0;
    while (off < line.size()) {
        const ssize_t n = ::write(to_helper_.get(), line.data() + off, line.size() - off);
        if (n > 0) {
            off += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) throw_errno("writing to the a11y helper");
        const std::int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0) throw Error("a11y helper: timed out writing a request");
        pollfd p{to_helper_.get(), POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) throw_errno("waiting for the a11y helper");
    }
}

std::string A11yClient::read_line(std::int64_t deadline_ms, int max_bytes) {
    bool discarding = false;  // inside an overlong reply: drop it up to its newline, then fail
    for (;;) {
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (discarding) throw Error("a11y helper reply: longer than " + std::to_string(max_bytes) + " bytes");
            return line;
        }
        if (pending_.size() > static_cast<std::size_t>(max_bytes)) {
            pending_.clear();
            discarding = true;
        }
        const std::int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0) throw Error("a11y helper: no reply within " + std::to_string(options_.reply_timeout.count()) + " ms");
        pollfd p{from_helper_.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno != EINTR) throw_errno("waiting for the a11y helper");
        if (r <= 0) continue;
        char buf[65536];
        const ssize_t n = ::read(from_helper_.get(), buf, sizeof buf);
        if (n == 0) throw Error("a11y helper: exited (its output pipe closed)");
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw_errno("reading from the a11y helper");
        }
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

json A11yClient::request(json req, int max_reply_bytes) {
    if (!to_helper_) throw Error("a11y helper: not running");
    const std::int64_t seq = ++seq_;
    req["seq"] = seq;
    const std::int64_t deadline = monotonic_ms() + options_.reply_timeout.count();
    write_line(req.dump() + "\n", deadline);
    for (;;) {
        const std::string line = read_line(deadline, max_reply_bytes);
        // A reply to an earlier request that timed out: skip it.
        json reply = parse_reply(line, max_reply_bytes);
        auto s = reply.find("seq");
        if (s == reply.end() || !s->is_number_integer() || s->get<std::int64_t>() != seq) continue;
        if (auto ev = reply.find("events"); ev != reply.end() && ev->is_number_unsigned()) events_ = ev->get<std::uint64_t>();
        return reply;
    }
}

json A11yClient::limits_json() const {
    const Limits& l = options_.limits;
    return {{"max_nodes", l.max_nodes}, {"max_depth", l.max_depth}, {"max_children", l.max_children},
            {"max_text", l.max_text}, {"max_attributes", l.max_attributes}, {"max_reply_bytes", l.max_reply_bytes},
            {"time_ms", l.time_ms}};
}

void A11yClient::ping() {
    json reply = request({{"op", "ping"}}, kSmallReply);
    if (!reply.value("pong", false)) throw Error("a11y helper: ping without pong");
}

Tree A11yClient::tree(TreeFilter filter) {
    json reply = request({{"op", "tree"}, {"limits", limits_json()}, {"prune_hidden", options_.prune_hidden}},
                         options_.limits.max_reply_bytes + 1024);
    return filter_tree(tree_from_wire(reply, options_.limits), filter);
}

std::string A11yClient::tree_text(TreeFormat format, TreeFilter filter, ScaleFactors scale) {
    switch (format) {
        case TreeFormat::Json: return tree_to_json(tree(filter), scale).dump();
        case TreeFormat::OsworldXml: return to_osworld_xml(tree(filter));
        case TreeFormat::Linearized: return to_linearized(tree(TreeFilter::All));  // the table filters itself
    }
    throw Error("unknown tree format");
}

std::optional<Element> A11yClient::hit_test(Point p) {
    json reply = request({{"op", "hit_test"}, {"x", p.x}, {"y", p.y}}, kSmallReply);
    Tree t = tree_from_wire(reply, options_.limits, /*flat=*/true);
    if (t.elements.empty()) return std::nullopt;
    return t.elements.back();
}

FindResult A11yClient::find(const ElementTarget& target) {
    const TargetMatcher matcher(target);  // refuses a bad regex before the helper sees it
    json t = {{"role", target.role}, {"name", target.name}, {"regex", target.regex}, {"app", target.app},
              {"window", target.window}};
    json reply = request({{"op", "find"}, {"target", t}, {"limits", limits_json()}}, options_.limits.max_reply_bytes + 1024);
    Tree matches = tree_from_wire(reply, options_.limits, /*flat=*/true);
    FindResult out;
    out.truncated = matches.truncated;
    out.truncated_reason = matches.truncated_reason;
    // The helper's word is not enough: keep only what really matches.
    for (Element& e : matches.elements)
        if (is_actionable(e) && matcher.matches(e)) out.matches.push_back(std::move(e));
    return out;
}

Element A11yClient::resolve(const ElementTarget& target) {
    FindResult r = find(target);
    return resolve_one(r.matches, r.truncated, r.truncated_reason, target);
}

std::string A11yClient::act(const Element& element, ElementAction action, const std::string& text) {
    const char* name = action == ElementAction::Click ? "click" : action == ElementAction::Focus ? "focus" : "set_text";
    json req = {{"op", "action"}, {"path", element.path}, {"action", name},
                {"expect", {{"role", element.role}, {"name", element.name}}}};
    if (action == ElementAction::SetText) req["text"] = text;
    json reply = request(req, kSmallReply);
    auto done = reply.find("done");
    if (done == reply.end() || !done->is_string()) throw Error("a11y helper reply: action without 'done'");
    return utf8_excerpt(done->get<std::string>(), 64);
}

FindResult A11yClient::wait_for(const ElementTarget& target, Millis timeout) {
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    for (;;) {
        FindResult r = find(target);
        if (!r.matches.empty()) return r;
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0)
            throw Error("timed out after " + format_duration(timeout) + " waiting for " + describe_target(target) +
                        " to show up in the accessibility tree");
        const std::int64_t wait = std::min<std::int64_t>(left, options_.reply_timeout.count() / 2);
        request({{"op", "wait_event"}, {"since", events_}, {"timeout_ms", wait}}, kSmallReply);
    }
}

BrowserContext A11yClient::browser_context() {
    json reply = request({{"op", "browser_context"}}, kSmallReply);
    auto field = [&](const char* key) {
        auto it = reply.find(key);
        return it != reply.end() && it->is_string() ? utf8_excerpt(it->get<std::string>(), 4096) : std::string();
    };
    return BrowserContext{field("url"), field("title"), field("app"), field("window")};
}

}  // namespace deskbox::a11y
