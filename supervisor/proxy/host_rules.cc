#include "supervisor/proxy/host_rules.h"

#include <algorithm>

#include "supervisor/base/error.h"

namespace deskbox::proxy {

HostPattern HostRules::compile(const std::string& entry, const std::string& where) {
    std::string why;
    auto p = HostPattern::parse(entry, &why);
    if (!p) throw Error(where + ": '" + entry + "': " + why);
    return std::move(*p);
}

HostRules::HostRules(const NetworkSpec& spec) : ports_(spec.ports) {
    for (const auto& a : spec.allow) allow_.push_back(compile(a, "network.allow"));
    for (const auto& d : spec.deny) deny_.push_back(compile(d, "network.deny"));
    for (const auto& [name, target] : spec.resolve) {
        std::string why;
        const auto host = normalize_host(name, &why);
        if (!host) throw Error("network.resolve: '" + name + "': " + why);
        resolve_.emplace_back(host->text, target);
    }
}

bool HostRules::port_allowed(std::uint16_t port) const {
    return std::find(ports_.begin(), ports_.end(), port) != ports_.end();
}

HostDecision HostRules::check(const HostName& host, std::uint16_t port) const {
    for (const auto& d : deny_)
        if (d.matches(host)) return {false, "deny " + d.source()};
    if (!port_allowed(port)) return {false, "port " + std::to_string(port) + " not allowed"};
    if (host.is_ip()) {
        for (const auto& a : allow_)
            if (a.is_ip() && a.matches(host)) return {true, "allow " + a.source()};
        return {false, "IP literal not listed"};
    }
    for (const auto& a : allow_)
        if (a.matches(host)) return {true, "allow " + a.source()};
    return {false, "not in allow list"};
}

std::optional<ResolveTarget> HostRules::resolve_entry(const HostName& host) const {
    for (const auto& [name, target] : resolve_)
        if (name == host.text) return target;
    return std::nullopt;
}

}  // namespace deskbox::proxy
