#include "supervisor/audit/audit_record.h"

#include <openssl/evp.h>
#include <time.h>

#include <cstdio>

namespace deskbox {

std::string sha256_hex_of(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0xf]);
    }
    return hex;
}

std::string canonical_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string audit_record_hash(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const nlohmann::json& data) {
    nlohmann::json record = {{"seq", seq}, {"time", time}, {"type", type}, {"prev", prev}, {"data", data}};
    return sha256_hex_of(canonical_json(record));
}

std::string audit_record_line(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const std::string& hash, const nlohmann::json& data) {
    std::string line = "{\"seq\":" + std::to_string(seq);
    line += ",\"time\":" + canonical_json(time);
    line += ",\"type\":" + canonical_json(type);
    line += ",\"prev\":\"" + prev + "\"";
    line += ",\"hash\":\"" + hash + "\"";
    line += ",\"data\":" + canonical_json(data);
    line += "}";
    return line;
}

std::string audit_time_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long>(ts.tv_nsec / 1'000'000) % 1000);
    return text;
}

}  // namespace deskbox
