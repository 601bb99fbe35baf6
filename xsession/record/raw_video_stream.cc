#include "xsession/record/raw_video_stream.h"

namespace deskbox {

namespace {

// Matroska element ids (matroska.org, "Matroska Elements").
constexpr std::uint32_t kEbml = 0x1A45DFA3, kEbmlVersion = 0x4286, kEbmlReadVersion = 0x42F7, kEbmlMaxIdLength = 0x42F2,
                        kEbmlMaxSizeLength = 0x42F3, kDocType = 0x4282, kDocTypeVersion = 0x4287,
                        kDocTypeReadVersion = 0x4285;
constexpr std::uint32_t kSegment = 0x18538067, kInfo = 0x1549A966, kTimestampScale = 0x2AD7B1, kMuxingApp = 0x4D80,
                        kWritingApp = 0x5741;
constexpr std::uint32_t kTracks = 0x1654AE6B, kTrackEntry = 0xAE, kTrackNumber = 0xD7, kTrackUid = 0x73C5,
                        kTrackType = 0x83, kCodecId = 0x86, kVideo = 0xE0, kPixelWidth = 0xB0, kPixelHeight = 0xBA,
                        kColourSpace = 0x2EB524;
constexpr std::uint32_t kCluster = 0x1F43B675, kClusterTimestamp = 0xE7, kSimpleBlock = 0xA3;

void put_id(std::string& out, std::uint32_t id) {
    int bytes = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
    while (bytes-- > 0) out.push_back(static_cast<char>((id >> (8 * bytes)) & 0xFF));
}

// Always 8 bytes: marker 0x01, then 56 bits of size.
void put_size(std::string& out, std::uint64_t size) {
    out.push_back(0x01);
    for (int i = 6; i >= 0; --i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xFF));
}

std::string element(std::uint32_t id, const std::string& payload) {
    std::string out;
    put_id(out, id);
    put_size(out, payload.size());
    return out + payload;
}

std::string uint_element(std::uint32_t id, std::uint64_t value) {
    std::string payload;
    for (int i = 7; i >= 0; --i) payload.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
    return element(id, payload);
}

}  // namespace

std::string raw_video_stream_header(int width, int height) {
    std::string out = element(kEbml, uint_element(kEbmlVersion, 1) + uint_element(kEbmlReadVersion, 1) +
                                         uint_element(kEbmlMaxIdLength, 4) + uint_element(kEbmlMaxSizeLength, 8) +
                                         element(kDocType, "matroska") + uint_element(kDocTypeVersion, 4) +
                                         uint_element(kDocTypeReadVersion, 2));
    put_id(out, kSegment);
    out += std::string("\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8);  // unknown size: a live stream
    out += element(kInfo, uint_element(kTimestampScale, 1'000'000) + element(kMuxingApp, "deskbox") +
                              element(kWritingApp, "deskbox"));
    const std::string video = uint_element(kPixelWidth, static_cast<std::uint64_t>(width)) +
                              uint_element(kPixelHeight, static_cast<std::uint64_t>(height)) +
                              element(kColourSpace, std::string("RGB\x18", 4));
    out += element(kTracks, element(kTrackEntry, uint_element(kTrackNumber, 1) + uint_element(kTrackUid, 1) +
                                                     uint_element(kTrackType, 1) + element(kCodecId, "V_UNCOMPRESSED") +
                                                     element(kVideo, video)));
    return out;
}

std::string raw_video_frame_header(std::uint64_t time_ms, std::uint64_t pixel_bytes) {
    // SimpleBlock payload: track number 1 (EBML number 0x81), time offset 0 (int16), flags: keyframe.
    const std::string block_head("\x81\x00\x00\x80", 4);
    std::string block;
    put_id(block, kSimpleBlock);
    put_size(block, block_head.size() + pixel_bytes);
    block += block_head;
    const std::string timestamp = uint_element(kClusterTimestamp, time_ms);
    std::string out;
    put_id(out, kCluster);
    put_size(out, timestamp.size() + block.size() + pixel_bytes);
    return out + timestamp + block;
}

}  // namespace deskbox
