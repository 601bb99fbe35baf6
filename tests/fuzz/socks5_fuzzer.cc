// libFuzzer target: a SOCKS5 client's greeting and request (RFC 1928), as the
// egress proxy reads them from a sandboxed client: the request is read from
// the bytes after a complete greeting (from the start otherwise, so that the
// request parser is fuzzed on its own too). Both must answer NeedMore,
// Complete or Bad within the bytes given, never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>

#include "supervisor/proxy/socks5.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskbox::proxy;
    const std::span<const std::uint8_t> bytes(data, size);
    const socks5::Greeting greeting = socks5::parse_greeting(bytes);
    if (greeting.status == socks5::Status::Complete && greeting.length > size) __builtin_trap();
    const std::size_t start = greeting.status == socks5::Status::Complete ? greeting.length : 0;
    const socks5::Request request = socks5::parse_request(bytes.subspan(start));
    if (request.status == socks5::Status::Complete &&
        (request.length > size - start || request.host.empty() || request.port == 0))
        __builtin_trap();
    if (request.status == socks5::Status::Bad) (void)socks5::reply(request.refusal);
    return 0;
}
