// The wire protocol between the supervisor and the sandbox init (PID 1 inside
// the session), over a SOCK_SEQPACKET socketpair: one message per packet, a
// type, then fields (u32 numbers, length-prefixed strings). Descriptors ride
// along as SCM_RIGHTS. Both sides are deskbox code, but init still checks every
// length so that a short or garbled packet is an error, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox::sandbox {

enum class MessageType : std::uint32_t {
    Go = 1,           // supervisor -> init: id maps and cgroup are in place, build the sandbox
    Ready = 2,        // init -> supervisor: sandbox built, waiting for requests
    Failed = 3,       // init -> supervisor: text (the step and errno that failed)
    Spawn = 4,        // supervisor -> init: id, browser flag, oom_score_adj, argv, env, cwd, fd targets (+ SCM_RIGHTS)
    SpawnResult = 5,  // init -> supervisor: id, pid (0 on failure), error text
    Signal = 6,       // supervisor -> init: pid, signo
    Exited = 7,       // init -> supervisor: pid, wait status
    Terminate = 8,    // supervisor -> init: SIGTERM every process of the sandbox
};

constexpr std::size_t kMaxMessage = 128 * 1024;
constexpr std::size_t kMaxFdsPerMessage = 16;

class MessageWriter {
public:
    explicit MessageWriter(MessageType type) { u32(static_cast<std::uint32_t>(type)); }
    MessageWriter& u32(std::uint32_t value);
    MessageWriter& i32(std::int32_t value) { return u32(static_cast<std::uint32_t>(value)); }
    MessageWriter& str(std::string_view text);
    MessageWriter& strings(const std::vector<std::string>& list);
    const std::string& bytes() const { return buf_; }

private:
    std::string buf_;
};

// Reads fields in order; any overrun sets ok() to false and returns empty values.
class MessageReader {
public:
    explicit MessageReader(std::string_view bytes) : data_(bytes) {}
    MessageType type();
    std::uint32_t u32();
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::string str();
    std::vector<std::string> strings();
    bool ok() const { return ok_; }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

struct Packet {
    std::string bytes;
    std::vector<UniqueFd> fds;
};

// Sends one packet (and `fds`, borrowed) on a SOCK_SEQPACKET socket. Throws on failure.
void send_packet(int sock, const std::string& bytes, const std::vector<int>& fds = {});
// Receives one packet. Returns false at end of stream (peer gone). With
// `nonblocking`, also returns false when nothing is waiting (errno EAGAIN).
bool receive_packet(int sock, Packet& packet, bool nonblocking = false);

}  // namespace deskbox::sandbox
