// libFuzzer target: one agent protocol line, as the agent socket receives it.
// Whatever the bytes, the channel's checks and the dialect parser must either
// produce a request or a ProtocolError; never crash, hang or leak. Replies for
// the parsed request are built too, so their formatting is exercised.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "supervisor/control/agent_replies.h"
#include "supervisor/control/agent_request.h"
#include "supervisor/control/jsonl_channel.h"
#include "supervisor/control/protocol_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    JsonlLimits limits;
    limits.max_line = 64 * 1024;  // keep iterations fast; the limit logic is the same
    LineParse parsed = parse_request_line(line, limits);
    if (!parsed.ok) return 0;
    try {
        const AgentRequest request = parse_agent_request(parsed.value, CoordinateSpace{1280, 800});
        std::vector<ActionResult> results(request.steps.size());
        if (!results.empty()) results.back().image = ImageData{"image/png", "\x89PNG", 1, 1};
        (void)success_reply(request, results).dump();
        GateVerdict verdict;
        verdict.rule = "fuzz";
        (void)refusal_reply(request, verdict, 0).dump();
        (void)pending_reply(request, verdict).dump();
    } catch (const ProtocolError& e) {
        (void)make_error_reply(e.code(), e.what()).dump();
    }
    return 0;
}
