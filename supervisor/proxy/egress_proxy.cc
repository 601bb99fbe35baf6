#include "supervisor/proxy/egress_proxy.h"

#include <exception>

namespace deskbox {

EgressProxy::EgressProxy(const NetworkSpec& spec, UniqueFd listening_socket,
                         std::function<void(const nlohmann::json& record)> audit)
    : engine_(std::make_unique<proxy::ProxyEngine>(spec, std::move(listening_socket), audit)), audit_(audit) {}

EgressProxy::~EgressProxy() {
    stop();
}

void EgressProxy::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] {
        try {
            engine_->run();
        } catch (const std::exception& e) {
            // The proxy failing closes the sandbox's only way out: fail closed, loudly.
            audit_({{"event", "egress_proxy_failed"}, {"error", e.what()}});
        }
    });
}

void EgressProxy::stop() {
    if (!thread_.joinable()) return;
    engine_->request_stop();
    thread_.join();
}

ProxyStats EgressProxy::stats() const {
    return engine_->stats();
}

}  // namespace deskbox
