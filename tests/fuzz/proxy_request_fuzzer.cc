// libFuzzer target: the first bytes a sandboxed client sends the egress proxy,
// as an HTTP request head (CONNECT or absolute-URI forward). The parser must
// answer NeedMore, Complete or Bad without crashing or reading out of bounds;
// a complete forward request is rebuilt in origin form to exercise that too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "supervisor/proxy/proxy_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox::proxy;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const RequestParse parsed = parse_proxy_request(bytes);
    if (parsed.status == RequestParse::Status::Complete) {
        if (parsed.head_length > bytes.size()) __builtin_trap();  // the head lies inside what was read
        if (parsed.request.kind == ProxyRequest::Kind::Forward)
            (void)build_origin_request(parsed.request, parsed.request.host);
    }
    return 0;
}
