// Which (host, port) pairs a session may reach, compiled from the manifest's
// `network:` section. Checked in this order, first match wins:
//   1. deny list: exact names and "*.suffix" patterns;
//   2. port: only the listed ports (default 80 and 443);
//   3. IP literals: only those listed verbatim in `allow`;
//   4. allow list: exact names and "*.suffix" patterns.
// "*.example" matches names under example (a.example, b.a.example), never the
// apex "example" itself; list both to allow both. Every decision names its rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/manifest/manifest.h"
#include "supervisor/proxy/host_name.h"

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
    struct Pattern {
        std::string original;  // as written, for the rule text
        std::string name;      // canonical exact name, or the suffix without "*."
        bool wildcard = false;
        bool ip = false;
    };
    static Pattern compile(const std::string& entry, const std::string& where);
    static bool matches(const Pattern& p, const HostName& host);

    std::vector<Pattern> allow_, deny_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::pair<std::string, ResolveTarget>> resolve_;  // canonical name -> target
};

}  // namespace deskbox::proxy
