#include "supervisor/base/host_pattern.h"

namespace deskbox {
namespace {

// Is `name` strictly below `suffix`, at a label boundary? Both canonical.
bool is_below(const std::string& name, const std::string& suffix) {
    return name.size() > suffix.size() + 1 && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
           name[name.size() - suffix.size() - 1] == '.';
}

}  // namespace

std::optional<HostName> normalize_url_host(std::string_view host, std::string* why) {
    if (host.size() < 2 || host.front() != '[' || host.back() != ']') return normalize_host(host, why);
    auto h = normalize_host(host.substr(1, host.size() - 2), why);
    if (h && h->kind != HostName::Kind::Ipv6) {
        if (why) *why = "brackets around '" + h->text + "', which is not an IPv6 address";
        return std::nullopt;
    }
    return h;
}

std::optional<HostPattern> HostPattern::parse(std::string_view text, std::string* why) {
    std::string scratch;
    if (!why) why = &scratch;
    HostPattern p;
    p.source_ = std::string(text);
    if (text == "*") {
        p.kind_ = Kind::Any;
        return p;
    }
    std::string_view body = text;
    p.kind_ = Kind::Exact;
    if (body.starts_with("*.")) {
        p.kind_ = Kind::Subdomains;
        body.remove_prefix(2);
    }
    if (body.find('*') != std::string_view::npos) {
        *why = "only a leading '*.' wildcard is supported";
        return std::nullopt;
    }
    auto host = normalize_url_host(body, why);
    if (!host) return std::nullopt;
    if (p.kind_ == Kind::Subdomains && host->is_ip()) {
        *why = "a wildcard cannot cover an IP address";
        return std::nullopt;
    }
    p.host_ = std::move(*host);
    return p;
}

bool HostPattern::matches(const HostName& host) const {
    switch (kind_) {
        case Kind::Any:
            return true;
        case Kind::Exact:
            return host.kind == host_.kind && host.text == host_.text;
        case Kind::Subdomains:
            return !host.is_ip() && is_below(host.text, host_.text);
    }
    return false;
}

bool HostPattern::matches(std::string_view host) const {
    const auto h = normalize_url_host(host, nullptr);
    return h && matches(*h);
}

bool HostPattern::covers(const HostPattern& other) const {
    switch (kind_) {
        case Kind::Any:
            return true;
        case Kind::Exact:
            return other.kind_ == Kind::Exact && matches(other.host_);
        case Kind::Subdomains:
            if (other.kind_ == Kind::Any) return false;
            // "*.example" covers "*.example" and "*.a.example"; an exact name
            // only when it is below the suffix.
            return (other.kind_ == Kind::Subdomains && other.host_.text == host_.text) || matches(other.host_);
    }
    return false;
}

std::string HostPattern::canonical() const {
    switch (kind_) {
        case Kind::Any:
            return "*";
        case Kind::Exact:
            return host_.text;
        case Kind::Subdomains:
            return "*." + host_.text;
    }
    return {};
}

}  // namespace deskbox
