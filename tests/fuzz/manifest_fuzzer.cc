// libFuzzer target: bytes as a session manifest (YAML). Whatever the bytes,
// the strict parser must return a manifest or throw InputError naming a
// position; any other exception, a crash, a hang or a leak is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)deskbox::parse_manifest_text(text, "/fuzz/session.yaml");
    } catch (const deskbox::InputError&) {
    }
    return 0;
}
