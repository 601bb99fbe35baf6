// libFuzzer target: the first bytes a sandboxed client sends the egress proxy,
// as an HTTP request head (CONNECT or absolute-URI forward). The parser must
// answer NeedMore, Complete or Bad without crashing or reading out of bounds;
// a complete forward request is rebuilt in origin form, which must stay one
// well-formed request head (no request smuggled through the rewrite).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/proxy/proxy_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox::proxy;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const RequestParse parsed = parse_proxy_request(bytes);
    if (parsed.status == RequestParse::Status::Complete) {
        const ProxyRequest& request = parsed.request;
        // The head lies inside what was read; a complete request names where to go.
        if (parsed.head_length > bytes.size() || request.host.empty() || request.port == 0) __builtin_trap();
        if (request.kind == ProxyRequest::Kind::Forward) {
            // The rewrite must stay one request head: no line break or NUL smuggled in through
            // the target, a header or the host, so its only blank line is the last.
            const std::string origin = build_origin_request(request, request.host);
            if (origin.find("\r\n\r\n") != origin.size() - 4 || origin.find('\0') != std::string::npos)
                __builtin_trap();
            for (std::size_t at = origin.find('\n'); at != std::string::npos; at = origin.find('\n', at + 1))
                if (at == 0 || origin[at - 1] != '\r') __builtin_trap();
        }
    }
    return 0;
}
