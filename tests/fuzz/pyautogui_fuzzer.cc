// libFuzzer target: bytes as pyautogui code, as the "code" field of an
// OSWorld request carries it. Whatever the bytes, the parser and the dialect
// must produce actions or a ProtocolError naming a position; never crash,
// hang, recurse without bound or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "supervisor/control/agent_request.h"
#include "supervisor/control/protocol_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox;
    // Strings must be valid UTF-8 to be JSON; the parser itself sees raw bytes below the JSON layer.
    const Json request = {{"code", std::string(reinterpret_cast<const char*>(data), size)}};
    try {
        (void)parse_agent_request(request, CoordinateSpace{1280, 800});
    } catch (const ProtocolError&) {
    }
    return 0;
}
