#include "supervisor/console/rate_limiter.h"

#include <algorithm>

namespace deskbox::console {

void RateLimiter::expire(std::deque<std::int64_t>& q, std::int64_t now_ms) const {
    while (!q.empty() && q.front() <= now_ms - limits_.window_ms) q.pop_front();
}

bool RateLimiter::allow(const std::string& client, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    expire(all_, now_ms);
    // Drop clients whose window has passed, so the map stays small.
    for (auto it = by_client_.begin(); it != by_client_.end();) {
        expire(it->second, now_ms);
        it = it->second.empty() ? by_client_.erase(it) : std::next(it);
    }
    auto& mine = by_client_[client];
    if (static_cast<int>(mine.size()) >= limits_.per_client || static_cast<int>(all_.size()) >= limits_.global)
        return false;
    mine.push_back(now_ms);
    all_.push_back(now_ms);
    return true;
}

std::int64_t RateLimiter::retry_after_ms(const std::string& client, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    std::int64_t wait = 0;
    const auto it = by_client_.find(client);
    if (it != by_client_.end() && static_cast<int>(it->second.size()) >= limits_.per_client)
        wait = it->second.front() + limits_.window_ms - now_ms;
    if (static_cast<int>(all_.size()) >= limits_.global)
        wait = std::max(wait, all_.front() + limits_.window_ms - now_ms);
    return std::max<std::int64_t>(wait, 0);
}

}  // namespace deskbox::console
