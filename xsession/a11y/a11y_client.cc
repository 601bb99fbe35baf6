#include "xsession/a11y/a11y_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        throw_errno("making the a11y helper pipe non-blocking");
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

std::optional<std::string> A11yClient::take_line(int max_bytes) {
    for (;;) {
        const auto nl = pending_.find('\n');
        if (nl == std::string::npos) {
            if (pending_.size() > static_cast<std::size_t>(max_bytes)) {
                pending_.clear();
                discarding_ = true;
            }
            return std::nullopt;
        }
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (!discarding_) return line;
        discarding_ = false;
        throw Error("a11y helper reply: longer than " + std::to_string(max_bytes) + " bytes");
    }
}

void A11yClient::begin(json req, int max_reply_bytes) {
    if (!to_helper_) throw Error("a11y helper: not running");
    if (inflight_) throw Error("a11y helper: a request (" + inflight_->op + ") is already in flight");
    InFlight f;
    f.seq = ++seq_;
    f.deadline_ms = monotonic_ms() + options_.reply_timeout.count();
    f.max_reply_bytes = max_reply_bytes;
    f.op = req.value("op", "");
    req["seq"] = f.seq;
    // A request line is far below the pipe's capacity and the helper reads
    // between requests, so this does not wait in practice.
    write_line(req.dump() + "\n", f.deadline_ms);
    inflight_ = std::move(f);
}

std::int64_t A11yClient::deadline_ms() const {
    if (!inflight_) throw Error("a11y helper: no request in flight");
    return inflight_->deadline_ms;
}

bool A11yClient::on_readable() {
    if (!inflight_) throw Error("a11y helper: no request in flight");
    if (inflight_->reply) return true;
    try {
        for (;;) {
            while (auto line = take_line(inflight_->max_reply_bytes)) {
                json reply = parse_reply(*line, inflight_->max_reply_bytes);
                // A reply to an earlier request that timed out: skip it.
                auto s = reply.find("seq");
                if (s == reply.end() || !s->is_number_integer() || s->get<std::int64_t>() != inflight_->seq) continue;
                if (auto ev = reply.find("events"); ev != reply.end() && ev->is_number_unsigned())
                    events_ = ev->get<std::uint64_t>();
                inflight_->reply = std::move(reply);
                return true;
            }
            char buf[65536];
            const ssize_t n = ::read(from_helper_.get(), buf, sizeof buf);
            if (n == 0) throw Error("a11y helper: exited (its output pipe closed)");
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) break;
            if (n < 0) throw_errno("reading from the a11y helper");
            pending_.append(buf, static_cast<std::size_t>(n));
        }
        if (monotonic_ms() >= inflight_->deadline_ms)
            throw Error("a11y helper: no reply within " + std::to_string(options_.reply_timeout.count()) + " ms");
    } catch (...) {
        inflight_.reset();  // the request is over; a late reply is skipped by its seq
        throw;
    }
    return false;
}

json A11yClient::take_reply(const char* op) {
    if (!inflight_ || inflight_->op != op || !inflight_->reply)
        throw Error(std::string("a11y helper: no completed ") + op + " request to finish");
    json reply = std::move(*inflight_->reply);
    inflight_.reset();
    return reply;
}

void A11yClient::wait_ready() {
    if (!inflight_) throw Error("a11y helper: no request in flight");
    const std::int64_t deadline = inflight_->deadline_ms;
    while (!on_readable()) {
        if (wait_hook_) {
            try {
                wait_hook_(from_helper_.get(), deadline);
            } catch (...) {
                inflight_.reset();  // abandoned: a late reply is skipped by its seq
                throw;
            }
            continue;
        }
        const std::int64_t left = std::max<std::int64_t>(0, deadline - monotonic_ms());
        pollfd p{from_helper_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) {
            inflight_.reset();
            throw_errno("waiting for the a11y helper");
        }
    }
}

void A11yClient::make_room() {
    if (inflight_ && busy_hook_) busy_hook_();
}

json A11yClient::request(json req, int max_reply_bytes) {
    make_room();
    const std::string op = req.value("op", "");
    begin(std::move(req), max_reply_bytes);
    wait_ready();
    return take_reply(op.c_str());
}

json A11yClient::limits_json() const {
    const Limits& l = options_.limits;
    return {{"max_nodes", l.max_nodes}, {"max_depth", l.max_depth},           {"max_children", l.max_children},
            {"max_text", l.max_text},   {"max_attributes", l.max_attributes}, {"max_reply_bytes", l.max_reply_bytes},
            {"time_ms", l.time_ms}};
}

void A11yClient::ping() {
    json reply = request({{"op", "ping"}}, kSmallReply);
    if (!reply.value("pong", false)) throw Error("a11y helper: ping without pong");
}

void A11yClient::begin_tree() {
    begin({{"op", "tree"}, {"limits", limits_json()}, {"prune_hidden", options_.prune_hidden}},
          options_.limits.max_reply_bytes + 1024);
}

Tree A11yClient::finish_tree(TreeFilter filter) {
    return filter_tree(tree_from_wire(take_reply("tree"), options_.limits), filter);
}

Tree A11yClient::tree(TreeFilter filter) {
    make_room();
    begin_tree();
    wait_ready();
    return finish_tree(filter);
}

std::string format_tree(const Tree& all, TreeFormat format, TreeFilter filter, ScaleFactors scale) {
    switch (format) {
        case TreeFormat::Json:
            return tree_to_json(filter_tree(all, filter), scale).dump();
        case TreeFormat::OsworldXml:
            return to_osworld_xml(filter_tree(all, filter), scale);
        case TreeFormat::Linearized:
            return to_linearized(all, scale);  // the table filters itself
    }
    throw Error("unknown tree format");
}

std::string A11yClient::tree_text(TreeFormat format, TreeFilter filter, ScaleFactors scale) {
    return format_tree(tree(TreeFilter::All), format, filter, scale);
}

void A11yClient::begin_hit_test(Point p) {
    begin({{"op", "hit_test"}, {"x", p.x}, {"y", p.y}}, kSmallReply);
}

std::optional<Element> A11yClient::finish_hit_test() {
    Tree t = tree_from_wire(take_reply("hit_test"), options_.limits, /*flat=*/true);
    if (t.elements.empty()) return std::nullopt;
    return t.elements.back();
}

std::optional<Element> A11yClient::hit_test(Point p) {
    make_room();
    begin_hit_test(p);
    wait_ready();
    return finish_hit_test();
}

void A11yClient::begin_focused() {
    begin({{"op", "focused"}}, kSmallReply);
}

std::optional<Element> A11yClient::finish_focused() {
    Tree t = tree_from_wire(take_reply("focused"), options_.limits, /*flat=*/true);
    if (t.elements.empty()) return std::nullopt;
    return t.elements.back();
}

std::optional<Element> A11yClient::focused() {
    make_room();
    begin_focused();
    wait_ready();
    return finish_focused();
}

void A11yClient::begin_find(const ElementTarget& target) {
    TargetMatcher matcher(target);  // refuses a bad regex before the helper sees it
    json t = {{"role", target.role},
              {"name", target.name},
              {"regex", target.regex},
              {"app", target.app},
              {"window", target.window}};
    begin({{"op", "find"}, {"target", t}, {"limits", limits_json()}}, options_.limits.max_reply_bytes + 1024);
    find_matcher_ = std::move(matcher);
}

FindResult A11yClient::finish_find() {
    Tree matches = tree_from_wire(take_reply("find"), options_.limits, /*flat=*/true);
    if (!find_matcher_) throw Error("a11y helper: the find request in flight has no matcher");
    const TargetMatcher& matcher = *find_matcher_;
    FindResult out;
    out.truncated = matches.truncated;
    out.truncated_reason = matches.truncated_reason;
    // The helper's word is not enough: keep only what really matches.
    for (Element& e : matches.elements)
        if (is_actionable(e) && matcher.matches(e)) out.matches.push_back(std::move(e));
    return out;
}

FindResult A11yClient::find(const ElementTarget& target) {
    make_room();
    begin_find(target);
    wait_ready();
    return finish_find();
}

Element A11yClient::resolve(const ElementTarget& target) {
    FindResult r = find(target);
    return resolve_one(r.matches, r.truncated, r.truncated_reason, target);
}

void A11yClient::begin_act(const Element& element, ElementAction action, const std::string& text) {
    const char* name = action == ElementAction::Click ? "click" : action == ElementAction::Focus ? "focus" : "set_text";
    json req = {{"op", "action"},
                {"path", element.path},
                {"action", name},
                {"expect", {{"role", element.role}, {"name", element.name}}}};
    if (action == ElementAction::SetText) req["text"] = text;
    begin(std::move(req), kSmallReply);
}

std::string A11yClient::finish_act() {
    json reply = take_reply("action");
    auto done = reply.find("done");
    if (done == reply.end() || !done->is_string()) throw Error("a11y helper reply: action without 'done'");
    return utf8_excerpt(done->get<std::string>(), 64);
}

std::string A11yClient::act(const Element& element, ElementAction action, const std::string& text) {
    make_room();
    begin_act(element, action, text);
    wait_ready();
    return finish_act();
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

void A11yClient::begin_browser_context(const std::string& app, const std::string& window) {
    begin({{"op", "browser_context"}, {"app", app}, {"window", window}}, kSmallReply);
}

BrowserContext A11yClient::finish_browser_context() {
    json reply = take_reply("browser_context");
    auto field = [&](const char* key) {
        auto it = reply.find(key);
        return it != reply.end() && it->is_string() ? utf8_excerpt(it->get<std::string>(), 4096) : std::string();
    };
    return BrowserContext{field("url"), field("title"), field("app"), field("window")};
}

BrowserContext A11yClient::browser_context(const std::string& app, const std::string& window) {
    make_room();
    begin_browser_context(app, window);
    wait_ready();
    return finish_browser_context();
}

}  // namespace deskbox::a11y
