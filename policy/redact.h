// Redaction before anything reaches the audit log: the session's resolved
// secret values, e-mail addresses, credential assignments (password=, token:,
// api_key=...), Bearer tokens and the policy's own `redact` patterns all
// become "[REDACTED]". Scanners are linear-time hand-written loops (std::regex
// is quadratic and recursive on long runs); only the policy's patterns use
// regexes, over bounded text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/regex_pattern.h"

namespace deskbox {

inline constexpr std::string_view kRedacted = "[REDACTED]";
// Audit strings longer than this are cut (after secret values were replaced
// in the whole text, so a cut can never leave part of a secret behind).
inline constexpr std::size_t kMaxRecordedText = 16 * 1024;

class Redactor {
public:
    Redactor() = default;
    // `secrets`: resolved secret values (empty ones are ignored).
    Redactor(std::vector<std::string> secrets, std::vector<Pattern> policy_patterns);

    std::string redact(std::string_view text) const;
    // Redacts every string value in place (object keys are ours and kept).
    void redact_json(nlohmann::json& value) const;

private:
    std::vector<std::string> secrets_;  // longest first, so that a longer secret wins over its prefix
    std::vector<Pattern> patterns_;
};

// The individual scanners, exposed for tests.
std::string redact_emails(std::string_view text);
std::string redact_credentials(std::string_view text);  // key=value, key: value, Bearer x

}  // namespace deskbox
