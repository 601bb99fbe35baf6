// The one host-pattern matcher. Admission (policy `admission.domains` against
// the manifest's network lists), the gate (a rule's `domain`) and the egress
// proxy (`network.allow` / `network.deny`) all match through HostPattern, so a
// name that one of them lets through is never refused or missed by another.
//
//   "a.example"   only a.example itself
//   "*.example"   any name below example (a.example, b.a.example), never the
//                 apex "example" and never an IP address
//   "*"           any valid host, IP addresses included
//   "203.0.113.7" only that address (any spelling of it: "::1" = "0::1")
//
// Patterns and hosts are both normalized first (host_name.h): case, one
// trailing dot, IDNA (Unicode names become their "xn--" A-label, so a Cyrillic
// lookalike of an ASCII name is a different name), label boundaries (the
// suffix must start at a dot: "evil-ci.example" is not under "ci.example").
// A host that does not normalize (empty, bad characters, "127.1") matches no
// pattern, not even "*".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "supervisor/base/host_name.h"

namespace deskbox {

class HostPattern {
public:
    enum class Kind { Any, Exact, Subdomains };

    // Parses a pattern as written in a manifest or a policy. Returns nullopt
    // and sets `why` ("only a leading '*.' wildcard is supported") when it is
    // not one.
    static std::optional<HostPattern> parse(std::string_view text, std::string* why);

    bool matches(const HostName& host) const;
    // `host` as it appears in a URL or a request: bare, or an IPv6 literal in
    // brackets. A host that does not normalize never matches.
    bool matches(std::string_view host) const;
    // True when every host that `other` matches is matched by this pattern
    // ("*.example" covers "*.a.example" and "a.example", not "example").
    bool covers(const HostPattern& other) const;

    Kind kind() const { return kind_; }
    bool is_ip() const { return kind_ == Kind::Exact && host_.is_ip(); }
    const std::string& source() const { return source_; }  // as written
    std::string canonical() const;                         // "*.xn--bcher-kva.example"

private:
    std::string source_;
    Kind kind_ = Kind::Any;
    HostName host_;  // Exact: the host; Subdomains: the suffix below "*."
};

// normalize_host() for a host as it appears in a URL: an IPv6 literal may come
// in brackets ("[::1]").
std::optional<HostName> normalize_url_host(std::string_view host, std::string* why);

}  // namespace deskbox
