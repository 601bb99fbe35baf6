// libFuzzer target: the first bytes of a CONNECT tunnel, read for the TLS
// ClientHello's server name. The parser trusts no length; every prefix of the
// input is parsed too, as the proxy does while bytes arrive, and a prefix must
// never give a final answer that the whole stream contradicts.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "supervisor/proxy/tls_client_hello.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox::proxy;
    const std::span<const std::uint8_t> stream(data, size);
    const SniResult whole = parse_client_hello_sni(stream);
    // A name that is found is never empty and never holds a NUL (it becomes a host name to check).
    if (whole.status == SniResult::Status::Found &&
        (whole.server_name.empty() || whole.server_name.find('\0') != std::string::npos))
        __builtin_trap();
    // Once a prefix is decided, more bytes must not change the decision.
    for (std::size_t cut = 0; cut < size; cut += 1 + cut / 8) {
        const SniResult part = parse_client_hello_sni(stream.first(cut));
        if (part.status == SniResult::Status::NeedMore) continue;
        if (part.status != whole.status || part.server_name != whole.server_name) __builtin_trap();
        break;
    }
    return 0;
}
