// Name resolution off the proxy's I/O thread: getaddrinfo() blocks, so a few
// worker threads run it and hand results back through a queue, waking the
// I/O thread with an eventfd. The proxy itself checks every returned address
// and connects to exactly the one it checked (no second lookup, no rebinding).
#pragma once

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox::proxy {

struct Resolution {
    std::uint64_t id = 0;                     // the caller's tag (its connection id)
    std::vector<sockaddr_storage> addresses;  // with the requested port set
    std::string error;                        // non-empty when the lookup failed
};

class Resolver {
public:
    // `wake_fd`: an eventfd the resolver writes to when a result is ready (not owned).
    Resolver(int wake_fd, int threads);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    void submit(std::uint64_t id, const std::string& host, std::uint16_t port);
    std::vector<Resolution> take_results();

private:
    struct Job {
        std::uint64_t id;
        std::string host;
        std::uint16_t port;
    };
    void work();

    int wake_fd_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Job> jobs_;
    std::vector<Resolution> results_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace deskbox::proxy
