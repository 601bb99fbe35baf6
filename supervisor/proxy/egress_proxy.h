// The per-session egress proxy: the one way out of a sandbox whose manifest
// says `network.mode: allowlist`. The session creates the listening socket
// inside the sandbox's network namespace (127.0.0.1:3128) and hands it over;
// the proxy accepts there and connects out from the supervisor's namespace,
// only to what the manifest allows. It runs on its own thread and never blocks
// the supervisor. See docs/network.md.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "supervisor/base/unique_fd.h"
#include "supervisor/manifest/manifest.h"
#include "supervisor/proxy/proxy_engine.h"

namespace deskbox {

class EgressProxy {
public:
    // `audit` receives one record per connection, from the proxy's thread:
    // {event:"egress", host, port, decision: allow|deny|error, rule, bytes_up,
    //  bytes_down, protocol, address?, error?}. Never a path, query or body.
    // Throws deskbox::Error for a bad allow/deny/resolve entry or a bad socket.
    EgressProxy(const NetworkSpec& spec, UniqueFd listening_socket,
                std::function<void(const nlohmann::json& record)> audit);
    ~EgressProxy();  // stops
    EgressProxy(const EgressProxy&) = delete;
    EgressProxy& operator=(const EgressProxy&) = delete;

    void start();              // starts the proxy thread
    void stop();               // ends every connection (each audited) and joins the thread; idempotent
    ProxyStats stats() const;  // thread-safe

private:
    std::unique_ptr<proxy::ProxyEngine> engine_;
    std::thread thread_;
    std::function<void(const nlohmann::json&)> audit_;
};

}  // namespace deskbox
