#include "supervisor/session/secret_store.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox {
namespace {

std::string read_value(const SecretRef& s) {
    if (s.from.rfind("env:", 0) == 0) {
        const char* v = std::getenv(s.from.substr(4).c_str());
        if (!v) throw Error("secret '" + s.name + "': environment variable " + s.from.substr(4) + " is not set");
        return v;
    }
    const std::string path = s.from.substr(5);
    std::ifstream in(path);
    if (!in) throw Error("secret '" + s.name + "': cannot read " + path + ": " + errno_text(errno));
    std::string v((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
}

}  // namespace

void zero_string(std::string& s) {
    if (!s.empty()) explicit_bzero(s.data(), s.size());
    s.clear();
}

SecretStore::SecretStore(const std::vector<SecretRef>& secrets) {
    for (const auto& s : secrets) values_.emplace_back(s.name, read_value(s));
}

SecretStore::~SecretStore() {
    for (auto& [name, value] : values_) zero_string(value);
}

std::vector<std::string> SecretStore::values_for_redaction() const {
    std::vector<std::string> out;
    for (const auto& [name, value] : values_) out.push_back(value);
    return out;
}

void SecretStore::use(const std::string& name, const std::function<void(const std::string&)>& with) const {
    for (const auto& [n, value] : values_)
        if (n == name) return with(value);
    throw Error("the manifest has no secret named '" + name + "'");
}

std::vector<std::string> SecretStore::found_in(std::string_view text) const {
    std::vector<std::string> names;
    for (const auto& [name, value] : values_)
        if (!value.empty() && text.find(value) != std::string_view::npos) names.push_back(name);
    return names;
}

}  // namespace deskbox
