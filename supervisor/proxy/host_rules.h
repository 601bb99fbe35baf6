// Which (host, port) pairs a session may reach, compiled from the manifest's
// `network:` section. Checked in this order, first match wins:
//   1. deny list: host patterns (supervisor/base/host_pattern.h);
//   2. port: only the listed ports (default 80 and 443);
//   3. IP literals: only those listed as addresses in `allow` ("*" does not
//      open IP literals: a client that skips the name skips what names mean);
//   4. allow list: host patterns.
// "*.example" matches names under example (a.example, b.a.example), never the
// apex "example" itself; list both to allow both. The patterns are the same
// ones admission and the gate use. Every decision names its rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/host_name.h"
#include "supervisor/base/host_pattern.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox::proxy {

struct HostDecision {
    bool allowed = false;
    std::string rule;  // "allow *.ci.example", "deny evil.example", "port 22 not allowed", ...
};

class HostRules {
public:
    // Throws deskbox::Error naming the bad entry ("network.allow: '*foo': ...").
    explicit HostRules(const NetworkSpec& spec);

    HostDecision check(const HostName& host, std::uint16_t port) const;
    // The manifest's explicit address for this host, if any.
    std::optional<ResolveTarget> resolve_entry(const HostName& host) const;
    bool port_allowed(std::uint16_t port) const;

private:
    static HostPattern compile(const std::string& entry, const std::string& where);

    std::vector<HostPattern> allow_, deny_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::pair<std::string, ResolveTarget>> resolve_;  // canonical name -> target
};

}  // namespace deskbox::proxy
