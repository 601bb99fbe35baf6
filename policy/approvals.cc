#include "policy/approvals.h"

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"

namespace deskbox {

std::uint64_t EventLoopTimers::schedule(Millis after, std::function<void()> callback) {
    return loop_.add_timer(after, std::move(callback));
}

void EventLoopTimers::cancel(std::uint64_t id) {
    loop_.cancel_timer(id);
}

namespace {

// "A12" -> 12; 0 when the text is not an approval id.
std::uint64_t parse_id(const std::string& id) {
    if (id.size() < 2 || id.size() > 16 || (id[0] != 'A' && id[0] != 'a')) return 0;
    std::uint64_t n = 0;
    for (std::size_t i = 1; i < id.size(); ++i) {
        if (id[i] < '0' || id[i] > '9') return 0;
        n = n * 10 + static_cast<std::uint64_t>(id[i] - '0');
    }
    return n;
}

}  // namespace

ApprovalQueue::ApprovalQueue(TimerPort& timers, MonotonicClock clock) : timers_(timers), clock_(std::move(clock)) {}

ApprovalQueue::~ApprovalQueue() {
    for (auto& [n, entry] : pending_) timers_.cancel(entry.timer);
}

std::string ApprovalQueue::add(std::string rule, nlohmann::json detail, Millis timeout, Done done) {
    const std::uint64_t n = next_id_++;
    Entry e;
    e.info.id = "A" + std::to_string(n);
    e.info.rule = std::move(rule);
    e.info.detail = std::move(detail);
    e.info.created_ms = clock_();
    e.info.deadline_ms = e.info.created_ms + timeout.count();
    e.done = std::move(done);
    const std::string id = e.info.id;
    e.timer = timers_.schedule(timeout, [this, id, timeout] {
        ApprovalResolution r;
        r.timed_out = true;
        r.by.user = "timeout";
        r.note = "no reviewer answered within " + format_duration(timeout);
        resolve(id, std::move(r), false);
    });
    pending_.emplace(n, std::move(e));
    return id;
}

std::vector<PendingApproval> ApprovalQueue::list() const {
    std::vector<PendingApproval> out;
    out.reserve(pending_.size());
    for (const auto& [n, entry] : pending_) out.push_back(entry.info);
    return out;
}

void ApprovalQueue::resolve(const std::string& id, ApprovalResolution resolution, bool cancel_timer) {
    auto it = pending_.find(parse_id(id));
    if (it == pending_.end()) throw ApprovalNotFound("no pending approval '" + id + "'");
    Entry entry = std::move(it->second);
    pending_.erase(it);
    if (cancel_timer) timers_.cancel(entry.timer);
    resolution.at_ms = clock_();
    entry.done(entry.info, resolution);
}

void ApprovalQueue::approve(const std::string& id, const Reviewer& by, const std::string& note) {
    resolve(id, ApprovalResolution{true, false, by, note, 0}, true);
}

void ApprovalQueue::deny(const std::string& id, const Reviewer& by, const std::string& note) {
    resolve(id, ApprovalResolution{false, false, by, note, 0}, true);
}

void ApprovalQueue::deny_all(const Reviewer& by, const std::string& note) {
    while (!pending_.empty())
        resolve(pending_.begin()->second.info.id, ApprovalResolution{false, false, by, note, 0}, true);
}

}  // namespace deskbox
