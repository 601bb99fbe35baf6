#include "supervisor/session/parts/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "supervisor/base/error.h"
#include "supervisor/base/netns.h"
#include "supervisor/proxy/egress_proxy.h"

namespace deskbox {
namespace {

constexpr std::uint16_t kProxyPort = 3128;

}  // namespace

ProxyPart::ProxyPart(const NetworkSpec& network, SandboxPart& sandbox, AuditPart& audit) {
    UniqueFd netns = sandbox.open_netns();
    UniqueFd listener = socket_in_netns(netns.get(), AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    run_in_netns(netns.get(), [&] {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(kProxyPort);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int one = 1;
        setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw_errno("binding the egress proxy to 127.0.0.1:3128 in the session");
        if (listen(listener.get(), 128) != 0) throw_errno("listening on the egress proxy socket");
    });
    AuditLog* log = &audit.log();
    const SecretStore* secrets = &audit.secrets();
    proxy_ = std::make_unique<EgressProxy>(network, std::move(listener), [log, secrets](nlohmann::json record) {
        // A secret's value in a requested URL or host is redacted by the log and flagged here.
        if (auto names = secrets->found_in(record.dump()); !names.empty()) record["secret_leak"] = names;
        log->append("network", record);  // AuditLog::append is thread-safe
    });
    proxy_->start();
}

ProxyPart::~ProxyPart() = default;

void ProxyPart::stop() {
    proxy_.reset();  // joins its threads: no network record after this
}

std::string ProxyPart::url() const {
    return "http://127.0.0.1:" + std::to_string(kProxyPort);
}

std::vector<std::string> ProxyPart::app_env() const {
    const std::string u = url();
    return {"HTTP_PROXY=" + u, "HTTPS_PROXY=" + u, "ALL_PROXY=" + u,
            "http_proxy=" + u, "https_proxy=" + u, "all_proxy=" + u};
}

}  // namespace deskbox
