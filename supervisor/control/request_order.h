// Keeps each connection's requests in order while one of them waits for the
// gate's first answer (its screen context is read on the loop: an app's
// accessibility answer can take seconds). Requests of that connection that
// arrive meanwhile wait here, FIFO, and run once the gate has answered, so a
// connection's next request is never answered before its previous one.
// Other connections are not held. A request that goes on to wait for a
// reviewer (pending) no longer holds its connection, as before.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>

namespace deskbox {

class RequestOrder {
public:
    // Runs `work` now when `connection` is not held, otherwise after the holds
    // taken before it are released (in the order submitted).
    void submit(std::uint64_t connection, std::function<void()> work);
    // A request of `connection` now waits for the gate: later ones wait too.
    void hold(std::uint64_t connection);
    // The gate answered; when no hold is left, the waiting requests run (each
    // may hold the connection again, which stops the rest until its release).
    void release(std::uint64_t connection);
    // The connection is gone: its waiting requests are dropped.
    void forget(std::uint64_t connection) { held_.erase(connection); }

    bool held(std::uint64_t connection) const;
    std::size_t waiting(std::uint64_t connection) const;

private:
    struct Held {
        int holds = 0;
        std::deque<std::function<void()>> waiting;
    };
    void drain(std::uint64_t connection);

    std::map<std::uint64_t, Held> held_;
};

}  // namespace deskbox
