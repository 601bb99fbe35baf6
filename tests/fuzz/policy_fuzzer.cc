// libFuzzer target: bytes as a policy file (YAML). Whatever the bytes, the
// strict parser must return a policy or throw InputError naming a position;
// any other exception, a crash, a hang or a leak is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/policy_parser.h"
#include "supervisor/base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)deskbox::parse_policy_text(text, "fuzz-policy.yaml");
    } catch (const deskbox::InputError&) {
    }
    return 0;
}
