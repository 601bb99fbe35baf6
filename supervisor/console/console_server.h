// The console's sockets: Boost.Beast HTTP/1.1 (and the live view's
// WebSocket) on a TCP address or a Unix socket. One thread per connection,
// at most kMaxConnections at once; a connection idle for a minute is closed
// (SO_RCVTIMEO), so slow clients cannot hold threads forever.
#pragma once

#include <memory>
#include <string>

#include "supervisor/console/console_app.h"
#include "supervisor/console/listen_address.h"

namespace deskbox::console {

inline constexpr int kMaxConnections = 64;

class ConsoleServer {
public:
    // Binds (a Unix socket path is replaced, made 0660); throws deskbox::Error.
    ConsoleServer(ConsoleApp& app, const ListenAddress& where);
    ~ConsoleServer();
    // "http://127.0.0.1:PORT/" (the real port when 0 was asked) or "unix:PATH".
    std::string url() const;
    // Serves until the process ends.
    void run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace deskbox::console
