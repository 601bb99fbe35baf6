#include "supervisor/proxy/resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <unistd.h>

#include <cstring>

namespace deskbox::proxy {

Resolver::Resolver(int wake_fd, int threads) : wake_fd_(wake_fd) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

Resolver::~Resolver() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    cv_.notify_all();
    // A lookup in progress ends within the system resolver's own timeout.
    for (auto& t : threads_) t.join();
}

void Resolver::submit(std::uint64_t id, const std::string& host, std::uint16_t port) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back({id, host, port});
    }
    cv_.notify_one();
}

std::vector<Resolution> Resolver::take_results() {
    std::lock_guard lock(mutex_);
    std::vector<Resolution> out;
    out.swap(results_);
    return out;
}

void Resolver::work() {
    // A name is looked up as written, never with the host's search domains
    // appended ("ci.example" must not quietly become "ci.example.corp.internal").
    // glibc keeps resolver options per thread, so this affects only this worker.
    if (res_init() == 0) _res.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
    while (true) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Resolution res;
        res.id = job.id;
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_protocol = IPPROTO_TCP;
        addrinfo* list = nullptr;
        const int rc = getaddrinfo(job.host.c_str(), nullptr, &hints, &list);
        if (rc != 0) {
            res.error = gai_strerror(rc);
        } else {
            for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
                if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                    ai->ai_addrlen > sizeof(sockaddr_storage))
                    continue;
                sockaddr_storage ss{};
                std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
                if (ss.ss_family == AF_INET)
                    reinterpret_cast<sockaddr_in&>(ss).sin_port = htons(job.port);
                else
                    reinterpret_cast<sockaddr_in6&>(ss).sin6_port = htons(job.port);
                res.addresses.push_back(ss);
            }
            freeaddrinfo(list);
            if (res.addresses.empty()) res.error = "no IPv4 or IPv6 address";
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            results_.push_back(std::move(res));
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    }
}

}  // namespace deskbox::proxy
