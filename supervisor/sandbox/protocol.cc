#include "supervisor/sandbox/protocol.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "supervisor/base/error.h"

namespace deskbox::sandbox {

MessageWriter& MessageWriter::u32(std::uint32_t value) {
    char raw[4];
    std::memcpy(raw, &value, 4);
    buf_.append(raw, 4);
    return *this;
}

MessageWriter& MessageWriter::str(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    buf_.append(text);
    return *this;
}

MessageWriter& MessageWriter::strings(const std::vector<std::string>& list) {
    u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& s : list) str(s);
    return *this;
}

MessageType MessageReader::type() {
    return static_cast<MessageType>(u32());
}

std::uint32_t MessageReader::u32() {
    if (!ok_ || data_.size() - pos_ < 4) {
        ok_ = false;
        return 0;
    }
    std::uint32_t value;
    std::memcpy(&value, data_.data() + pos_, 4);
    pos_ += 4;
    return value;
}

std::string MessageReader::str() {
    const std::uint32_t n = u32();
    if (!ok_ || data_.size() - pos_ < n) {
        ok_ = false;
        return {};
    }
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
}

std::vector<std::string> MessageReader::strings() {
    const std::uint32_t n = u32();
    std::vector<std::string> list;
    // Every string needs at least its 4-byte length: reject counts that cannot fit.
    if (!ok_ || n > (data_.size() - pos_) / 4) {
        ok_ = false;
        return list;
    }
    list.reserve(n);
    for (std::uint32_t i = 0; i < n && ok_; ++i) list.push_back(str());
    return list;
}

void send_packet(int sock, const std::string& bytes, const std::vector<int>& fds) {
    if (bytes.size() > kMaxMessage)
        throw Error("sandbox message too large (" + std::to_string(bytes.size()) + " bytes)");
    if (fds.size() > kMaxFdsPerMessage) throw Error("too many descriptors for one sandbox message");
    iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        const ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n >= 0) return;
        if (errno == EINTR) continue;
        throw_errno("sending a message to the sandbox init");
    }
}

bool receive_packet(int sock, Packet& packet, bool nonblocking) {
    packet.bytes.resize(kMaxMessage);
    packet.fds.clear();
    iovec iov{packet.bytes.data(), packet.bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (nonblocking && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        if (errno == ECONNRESET) return false;
        throw_errno("receiving a message from the sandbox peer");
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            packet.fds.emplace_back(fd);
        }
    }
    if (n == 0) return false;  // SOCK_SEQPACKET: zero-length read is end of stream
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) throw Error("sandbox message truncated");
    packet.bytes.resize(static_cast<std::size_t>(n));
    return true;
}

}  // namespace deskbox::sandbox
