// The recorder's input to the encoder: raw RGB frames, each with its own
// timestamp, framed as a live Matroska stream (V_UNCOMPRESSED, colour space
// fourcc "RGB\x18" = rgb24). A plain rawvideo pipe carries no timestamps: the
// encoder would stamp frames when it reads them, which is late by however long
// it was busy (seconds while it starts). With the times in the stream the
// video's offsets are the supervisor's own clock (docs/audit.md).
//
// Every frame is a cluster of its own (cluster time = frame time, block offset
// 0), so there is no 32 s limit of relative block times and nothing to buffer.
// Sizes are written as 8-byte EBML numbers, so a frame's header is computed
// without knowing anything but the pixel count.
#pragma once

#include <cstdint>
#include <string>

namespace deskbox {

// EBML header, a live segment (unknown size), Info (1 ms time scale) and one
// video track of `width` x `height` rgb24.
std::string raw_video_stream_header(int width, int height);

// What precedes `pixel_bytes` bytes of pixels for a frame at `time_ms` (since
// the stream's start): Cluster { Timestamp, SimpleBlock (keyframe) }.
std::string raw_video_frame_header(std::uint64_t time_ms, std::uint64_t pixel_bytes);

}  // namespace deskbox
