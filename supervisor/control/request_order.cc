#include "supervisor/control/request_order.h"

namespace deskbox {

void RequestOrder::submit(std::uint64_t connection, std::function<void()> work) {
    auto it = held_.find(connection);
    if (it != held_.end() && (it->second.holds > 0 || !it->second.waiting.empty())) {
        it->second.waiting.push_back(std::move(work));
        return;
    }
    work();
}

void RequestOrder::hold(std::uint64_t connection) {
    ++held_[connection].holds;
}

void RequestOrder::release(std::uint64_t connection) {
    auto it = held_.find(connection);
    if (it == held_.end() || it->second.holds == 0) return;  // forgotten meanwhile
    --it->second.holds;
    drain(connection);
}

void RequestOrder::drain(std::uint64_t connection) {
    for (;;) {
        auto it = held_.find(connection);
        if (it == held_.end()) return;
        Held& h = it->second;
        if (h.holds > 0) return;
        if (h.waiting.empty()) {
            held_.erase(it);
            return;
        }
        auto work = std::move(h.waiting.front());
        h.waiting.pop_front();
        work();  // may hold again (and even release at once, draining the rest from there)
    }
}

bool RequestOrder::held(std::uint64_t connection) const {
    auto it = held_.find(connection);
    return it != held_.end() && it->second.holds > 0;
}

std::size_t RequestOrder::waiting(std::uint64_t connection) const {
    auto it = held_.find(connection);
    return it == held_.end() ? 0 : it->second.waiting.size();
}

}  // namespace deskbox
