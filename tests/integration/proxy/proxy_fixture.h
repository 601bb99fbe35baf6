// A running EgressProxy on 127.0.0.1 (host namespace) in front of loopback
// test origins, for driving with real clients.
#pragma once

#include <memory>
#include <string>

#include "supervisor/proxy/egress_proxy.h"
#include "tests/integration/proxy/proxy_support.h"

namespace proxytest {

struct RunningProxy {
    // `spec` is used as given; `listener` defaults to a fresh 127.0.0.1:0 socket.
    explicit RunningProxy(const deskbox::NetworkSpec& spec, deskbox::UniqueFd listener = {});
    ~RunningProxy();
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

    AuditCollector audit;
    std::uint16_t port = 0;
    std::unique_ptr<deskbox::EgressProxy> proxy;
};

// curl through the proxy: -sS, bounded time, the extra arguments appended.
CommandResult curl(const std::string& proxy_url, const std::vector<std::string>& args);

}  // namespace proxytest
