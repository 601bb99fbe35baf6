#include "tests/integration/proxy/proxy_fixture.h"

namespace proxytest {

RunningProxy::RunningProxy(const deskbox::NetworkSpec& spec, deskbox::UniqueFd listener) {
    if (!listener) listener = listen_loopback(port);
    proxy = std::make_unique<deskbox::EgressProxy>(spec, std::move(listener), audit.sink());
    proxy->start();
}

RunningProxy::~RunningProxy() {
    proxy->stop();
}

CommandResult curl(const std::string& proxy_url, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20", "--proxy", proxy_url};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

}  // namespace proxytest
