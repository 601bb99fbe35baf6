// Image encoders for screenshots (PNG with fast settings, JPEG with a
// quality) and decoders used by tests and the VNC frame comparison.
#pragma once

#include <string>

#include "xsession/capture/image.h"

namespace deskbox {

// zlib level 1, no row filter: screens are mostly flat colour and text, where
// this costs a fraction of the default's time for a slightly larger file.
std::string encode_png(const RgbImage& image, int zlib_level = 1);
// quality 1..100 (clamped).
std::string encode_jpeg(const RgbImage& image, int quality);

// Throw deskbox::Error naming the problem on malformed input.
RgbImage decode_png(const std::string& bytes);
RgbImage decode_jpeg(const std::string& bytes);

}  // namespace deskbox
