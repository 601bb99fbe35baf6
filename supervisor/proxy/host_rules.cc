#include "supervisor/proxy/host_rules.h"

#include <algorithm>

#include "supervisor/base/error.h"

namespace deskbox::proxy {

HostRules::Pattern HostRules::compile(const std::string& entry, const std::string& where) {
    Pattern p;
    p.original = entry;
    std::string body = entry;
    if (body.rfind("*.", 0) == 0) {
        p.wildcard = true;
        body = body.substr(2);
    }
    if (body.find('*') != std::string::npos)
        throw Error(where + ": '" + entry + "': only a leading '*.' wildcard is supported");
    std::string why;
    const auto host = normalize_host(body, &why);
    if (!host) throw Error(where + ": '" + entry + "': " + why);
    if (p.wildcard && host->is_ip()) throw Error(where + ": '" + entry + "': a wildcard cannot cover an IP address");
    p.ip = host->is_ip();
    p.name = host->text;
    return p;
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

bool HostRules::matches(const Pattern& p, const HostName& host) {
    if (!p.wildcard) return p.name == host.text;
    if (host.is_ip()) return false;
    const std::string& h = host.text;
    // "*.example" matches "a.example": longer than the suffix, and the byte
    // before the suffix is a dot (so "evilexample" does not match).
    return h.size() > p.name.size() + 1 && h.compare(h.size() - p.name.size(), p.name.size(), p.name) == 0 &&
           h[h.size() - p.name.size() - 1] == '.';
}

bool HostRules::port_allowed(std::uint16_t port) const {
    return std::find(ports_.begin(), ports_.end(), port) != ports_.end();
}

HostDecision HostRules::check(const HostName& host, std::uint16_t port) const {
    for (const auto& d : deny_)
        if (matches(d, host)) return {false, "deny " + d.original};
    if (!port_allowed(port)) return {false, "port " + std::to_string(port) + " not allowed"};
    if (host.is_ip()) {
        for (const auto& a : allow_)
            if (a.ip && a.name == host.text) return {true, "allow " + a.original};
        return {false, "IP literal not listed"};
    }
    for (const auto& a : allow_)
        if (matches(a, host)) return {true, "allow " + a.original};
    return {false, "not in allow list"};
}

std::optional<ResolveTarget> HostRules::resolve_entry(const HostName& host) const {
    for (const auto& [name, target] : resolve_)
        if (name == host.text) return target;
    return std::nullopt;
}

}  // namespace deskbox::proxy
