// The values of the manifest's secrets, held by the supervisor only: read once
// at the start (env: or file:), handed out one at a time to type them, and
// zeroed when the session ends. Nothing here ever returns a value as text to
// log, reply or show; callers get it only inside use().
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deskbox {

struct SecretRef;  // supervisor/manifest/manifest.h (not included: X headers' None would clash)

class SecretStore {
public:
    // Throws deskbox::Error naming the secret whose value cannot be read: running
    // without it would leave its redaction out of the audit log.
    explicit SecretStore(const std::vector<SecretRef>& secrets);
    ~SecretStore();
    SecretStore(const SecretStore&) = delete;
    SecretStore& operator=(const SecretStore&) = delete;

    // Copies of the values, for the audit log's redactor only.
    std::vector<std::string> values_for_redaction() const;
    // Calls `with` with the value of `name` (throws deskbox::Error when there is
    // no such secret: the message names the secret, never a value).
    void use(const std::string& name, const std::function<void(const std::string& value)>& with) const;
    // The names of the secrets whose values occur in `text` (a leak to flag).
    std::vector<std::string> found_in(std::string_view text) const;

private:
    std::vector<std::pair<std::string, std::string>> values_;  // name, value
};

// Overwrites a string's bytes with zeros (not optimised away) and empties it.
void zero_string(std::string& s);

}  // namespace deskbox
