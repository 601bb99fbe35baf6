#include "supervisor/proxy/proxy_connection.h"

#include <cstring>

namespace deskbox::proxy {

std::uint8_t* ByteBuffer::prepare(std::size_t want) {
    if (begin_ == end_) begin_ = end_ = 0;
    const std::size_t needed = end_ + want;
    if (needed > storage_.size()) {
        if (begin_ > 0) {  // slide the unread bytes to the front first
            std::memmove(storage_.data(), storage_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (end_ + want > storage_.size()) storage_.resize(end_ + want);
    }
    return storage_.data() + end_;
}

void ByteBuffer::consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
}

void ByteBuffer::append(std::string_view bytes) {
    std::memcpy(prepare(bytes.size()), bytes.data(), bytes.size());
    commit(bytes.size());
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    for (char c : text.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u >= 0x7f) ? '?' : c;
    }
    if (text.size() > max) out += "...";
    return out;
}

}  // namespace deskbox::proxy
