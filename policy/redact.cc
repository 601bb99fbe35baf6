#include "policy/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "policy/taint.h"

namespace deskbox {

namespace {

bool is_local_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}
bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool ends_value(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '&' || c == ';' || c == ',' ||
           c == '}' || c == ')';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Key names whose value is a credential: matched as a suffix of the key
// ("access_token", "X-Api-Key", "db_password").
constexpr std::array<std::string_view, 9> kCredentialKeys = {"password", "passwd",  "pwd",    "token",     "api_key",
                                                             "apikey",   "api-key", "secret", "passphrase"};

bool is_credential_key(std::string_view key) {
    const std::string k = lower(key);
    for (auto suffix : kCredentialKeys)
        if (k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
    return false;
}

}  // namespace

std::string redact_emails(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;  // text[0, copied) is in `out`
    std::size_t at = text.find('@');
    while (at != std::string_view::npos) {
        std::size_t begin = at;
        while (begin > copied && is_local_char(text[begin - 1])) --begin;
        std::size_t end = at + 1;
        while (end < text.size() && is_domain_char(text[end])) ++end;
        // Trailing dots/hyphens are punctuation, not part of the domain.
        while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
        const std::string_view domain = text.substr(at + 1, end - at - 1);
        const std::size_t dot = domain.rfind('.');
        bool valid = begin < at && dot != std::string_view::npos && dot > 0 && domain.size() - dot - 1 >= 2;
        if (valid)
            for (std::size_t i = dot + 1; i < domain.size(); ++i) valid = valid && is_alpha(domain[i]);
        if (valid) {
            out.append(text.substr(copied, begin - copied));
            out.append(kRedacted);
            copied = end;
            at = text.find('@', end);
        } else {
            at = text.find('@', at + 1);
        }
    }
    out.append(text.substr(copied));
    return out;
}

std::string redact_credentials(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_key_char(text[i]) || (i > 0 && is_key_char(text[i - 1]))) {
            ++i;
            continue;
        }
        // A word starts at i.
        std::size_t key_end = i;
        while (key_end < text.size() && is_key_char(text[key_end])) ++key_end;
        const std::string_view key = text.substr(i, key_end - i);
        std::size_t j = key_end;
        std::size_t value_begin = std::string_view::npos;
        if (lower(key) == "bearer" && j < text.size() && text[j] == ' ') {
            while (j < text.size() && text[j] == ' ') ++j;
            value_begin = j;
        } else if (is_credential_key(key)) {
            if (j < text.size() && (text[j] == '"' || text[j] == '\'')) ++j;  // "password": "x"
            while (j < text.size() && text[j] == ' ') ++j;
            if (j < text.size() && (text[j] == '=' || text[j] == ':')) {
                ++j;
                while (j < text.size() && text[j] == ' ') ++j;
                if (j < text.size() && (text[j] == '"' || text[j] == '\'')) ++j;
                value_begin = j;
            }
        }
        if (value_begin == std::string_view::npos) {
            i = key_end;
            continue;
        }
        std::size_t value_end = value_begin;
        while (value_end < text.size() && !ends_value(text[value_end])) ++value_end;
        // Bearer tokens are long; "bearer bonds" is prose.
        const std::size_t min_length = lower(key) == "bearer" ? 8 : 1;
        if (value_end >= value_begin + min_length) {
            out.append(text.substr(copied, value_begin - copied));
            out.append(kRedacted);
            copied = value_end;
        }
        i = std::max(value_end, key_end);
    }
    out.append(text.substr(copied));
    return out;
}

Redactor::Redactor(std::vector<std::string> secrets, std::vector<Pattern> policy_patterns)
    : patterns_(std::move(policy_patterns)) {
    for (auto& s : secrets)
        if (!s.empty()) secrets_.push_back(std::move(s));
    std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::redact(std::string_view text) const {
    std::string s(text);
    for (const auto& secret : secrets_) {
        std::size_t at = 0;
        while ((at = s.find(secret, at)) != std::string::npos) {
            s.replace(at, secret.size(), kRedacted);
            at += kRedacted.size();
        }
    }
    if (s.size() > kMaxRecordedText) {
        const std::size_t dropped = s.size() - kMaxRecordedText;
        s.resize(kMaxRecordedText);
        s += "...[" + std::to_string(dropped) + " more bytes not recorded]";
    }
    s = redact_credentials(redact_emails(s));
    for (const auto& p : patterns_) {
        std::string done;
        std::string_view rest = s;
        std::size_t at = 0, len = 0;
        while (!rest.empty() && bounded_search(p, rest, &at, &len)) {
            if (len == 0) {  // a pattern that matches nothing hides nothing; step past it
                const std::size_t step = std::min(at + 1, rest.size());
                done.append(rest.substr(0, step));
                rest.remove_prefix(step);
                continue;
            }
            done.append(rest.substr(0, at));
            done.append(kRedacted);
            rest.remove_prefix(at + len);
        }
        done.append(rest);
        s = std::move(done);
    }
    return s;
}

void Redactor::redact_json(nlohmann::json& value) const {
    if (value.is_string()) {
        value = redact(value.get_ref<const std::string&>());
    } else if (value.is_array() || value.is_object()) {
        for (auto& item : value) redact_json(item);
    }
}

}  // namespace deskbox
