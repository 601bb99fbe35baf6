// Test helpers: a socketpair wired to a JsonlConnection on a real EventLoop,
// and a blocking line reader for the test's end.
#pragma once

#include <sys/socket.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/control/jsonl_channel.h"

namespace deskbox::test {

inline std::pair<UniqueFd, UniqueFd> make_socketpair() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) throw_errno("socketpair");
    return {UniqueFd(sv[0]), UniqueFd(sv[1])};
}

inline void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            throw_errno("test write");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// The test's end of a connection: collects reply lines while running the loop.
class Peer {
public:
    Peer(EventLoop& loop, UniqueFd fd) : loop_(loop), fd_(std::move(fd)) {}
    void send(std::string_view data) {
        // Interleave with the loop so large writes do not deadlock on a full buffer.
        while (!data.empty()) {
            const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN) {
                    loop_.run_once(Millis(50));
                    drain();
                    continue;
                }
                throw_errno("test write");
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Runs the loop until `count` lines arrived (or the loop idles for 5 s).
    std::vector<Json> lines(std::size_t count) {
        while (got_.size() < count) {
            drain();
            if (got_.size() >= count) break;
            if (!loop_.run_once(Millis(5000))) {
                drain();
                if (got_.size() < count) BOOST_FAIL("timed out waiting for reply lines: got " << got_.size());
            }
        }
        std::vector<Json> out(got_.begin(), got_.begin() + static_cast<long>(count));
        got_.erase(got_.begin(), got_.begin() + static_cast<long>(count));
        return out;
    }
    Json line() { return lines(1).front(); }
    int fd() const { return fd_.get(); }
    void reset() { fd_.reset(); }
    std::size_t pending_lines() {
        drain();
        return got_.size();
    }
    // True once the other end closed (read returns 0).
    bool eof() {
        drain();
        return eof_;
    }

private:
    void drain() {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) {
                if (n == 0) eof_ = true;
                return;
            }
            buf_.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = buf_.find('\n')) != std::string::npos) {
                got_.push_back(Json::parse(buf_.substr(0, nl)));
                buf_.erase(0, nl + 1);
            }
        }
    }
    EventLoop& loop_;
    UniqueFd fd_;
    std::string buf_;
    std::vector<Json> got_;
    bool eof_ = false;
};

}  // namespace deskbox::test
