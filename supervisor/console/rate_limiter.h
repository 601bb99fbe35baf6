// Login attempts are rate limited per client address and for the whole
// console (behind a reverse proxy every client has the proxy's address): a
// sliding window of failed-or-not attempts. Tokens are 256-bit random, so
// this is not what keeps them from being guessed; it keeps a flood of logins
// from costing the host and makes a probe visible (429 in the proxy's log).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace deskbox::console {

struct RateLimits {
    int per_client = 10;  // attempts per window from one address
    int global = 60;      // attempts per window in all
    std::int64_t window_ms = 60'000;
};

class RateLimiter {
public:
    explicit RateLimiter(RateLimits limits = {}) : limits_(limits) {}
    // Counts an attempt and says whether it may go ahead. A refused attempt
    // is not counted (a client that keeps trying is let in once the window
    // has passed, not locked out forever).
    bool allow(const std::string& client, std::int64_t now_ms);
    // Milliseconds until `client` may try again (0: now), for Retry-After.
    std::int64_t retry_after_ms(const std::string& client, std::int64_t now_ms);

private:
    void expire(std::deque<std::int64_t>& q, std::int64_t now_ms) const;

    RateLimits limits_;
    std::mutex mutex_;
    std::deque<std::int64_t> all_;
    std::map<std::string, std::deque<std::int64_t>> by_client_;
};

}  // namespace deskbox::console
