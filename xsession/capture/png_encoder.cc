// PNG encoding for screenshots, written directly (not through libpng): one
// raw-deflate stream at a fast zlib level, rows unfiltered, and the zlib
// trailer's Adler-32 computed by libdeflate's vectorized routine. On a
// 1280x800 screen zlib's own scalar Adler-32 was a quarter of the encode time
// (bench/README.md, Display). The output is a plain RGB8 PNG any decoder reads.
#include <libdeflate.h>
#include <zlib.h>

#include <array>
#include <cstdint>

#include "supervisor/base/error.h"
#include "xsession/capture/codecs.h"

namespace deskbox {
namespace {

void put_u32(std::string& out, std::uint32_t value) {
    const char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                           static_cast<char>(value >> 8), static_cast<char>(value)};
    out.append(bytes, 4);
}

// A chunk whose payload was already appended at out[start + 8, end): fills in
// the length in front (reserved by begin_chunk) and appends the CRC.
std::size_t begin_chunk(std::string& out, const char* type) {
    const std::size_t start = out.size();
    put_u32(out, 0);
    out.append(type, 4);
    return start;
}

void end_chunk(std::string& out, std::size_t start) {
    const std::size_t length = out.size() - start - 8;
    for (int i = 0; i < 4; ++i) out[start + static_cast<std::size_t>(i)] = static_cast<char>(length >> (24 - 8 * i));
    const auto* typed = reinterpret_cast<const Bytef*>(out.data() + start + 4);
    put_u32(out, static_cast<std::uint32_t>(crc32(0, typed, static_cast<uInt>(length + 4))));
}

class RawDeflate {
public:
    explicit RawDeflate(int level) {
        // Negative window bits: no zlib header/trailer, we write them (see above).
        if (deflateInit2(&stream_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw Error("encoding PNG: zlib deflateInit2 failed (level " + std::to_string(level) + ")");
        }
    }
    ~RawDeflate() { deflateEnd(&stream_); }
    RawDeflate(const RawDeflate&) = delete;
    RawDeflate& operator=(const RawDeflate&) = delete;

    // Compresses `size` bytes onto the end of `out` (flush: Z_NO_FLUSH or Z_FINISH).
    void feed(const std::uint8_t* data, std::size_t size, int flush, std::string& out) {
        stream_.next_in = const_cast<Bytef*>(data);
        stream_.avail_in = static_cast<uInt>(size);
        for (;;) {
            if (out.size() - used_ < 65536) out.resize(used_ + std::max<std::size_t>(65536, out.size()));
            stream_.next_out = reinterpret_cast<Bytef*>(out.data() + used_);
            stream_.avail_out = static_cast<uInt>(out.size() - used_);
            const int result = deflate(&stream_, flush);
            used_ = out.size() - stream_.avail_out;
            if (result == Z_STREAM_END) return;
            if (result != Z_OK && result != Z_BUF_ERROR) throw Error("encoding PNG: zlib deflate failed");
            if (stream_.avail_in == 0 && stream_.avail_out != 0 && flush == Z_NO_FLUSH) return;
        }
    }
    void set_used(std::size_t used) { used_ = used; }
    std::size_t used() const { return used_; }

private:
    z_stream stream_{};
    std::size_t used_ = 0;
};

}  // namespace

std::string encode_png(const RgbImage& image, int zlib_level) {
    if (image.width <= 0 || image.height <= 0) throw Error("encoding PNG: empty image");
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3) {
        throw Error("encoding PNG: pixel buffer does not match " + std::to_string(image.width) + "x" +
                    std::to_string(image.height));
    }
    std::string out("\x89PNG\r\n\x1a\n", 8);
    std::size_t chunk = begin_chunk(out, "IHDR");
    put_u32(out, static_cast<std::uint32_t>(image.width));
    put_u32(out, static_cast<std::uint32_t>(image.height));
    out.append("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, adaptive filtering, no interlace
    end_chunk(out, chunk);

    // One IDAT: zlib header (CMF 0x78, FLG 0x01: 32K window, check bits), the raw
    // deflate stream of (filter byte 0, row) for every row, Adler-32 of those bytes.
    chunk = begin_chunk(out, "IDAT");
    out.append("\x78\x01", 2);
    RawDeflate deflater(zlib_level);
    deflater.set_used(out.size());
    out.resize(out.size() + image.pixels.size() / 8 + 65536);
    const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
    static constexpr std::uint8_t kFilterNone = 0;
    std::uint32_t adler = 1;
    for (int y = 0; y < image.height; ++y) {
        const std::uint8_t* row = image.at(0, y);
        adler = libdeflate_adler32(adler, &kFilterNone, 1);
        adler = libdeflate_adler32(adler, row, row_bytes);
        deflater.feed(&kFilterNone, 1, Z_NO_FLUSH, out);
        deflater.feed(row, row_bytes, y + 1 == image.height ? Z_FINISH : Z_NO_FLUSH, out);
    }
    out.resize(deflater.used());
    put_u32(out, adler);
    end_chunk(out, chunk);

    chunk = begin_chunk(out, "IEND");
    end_chunk(out, chunk);
    return out;
}

}  // namespace deskbox
