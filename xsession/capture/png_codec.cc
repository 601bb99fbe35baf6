// PNG decoding through libpng (tests, VNC frame comparison); the encoder is
// png_encoder.cc.
#include <png.h>

#include <cstring>
#include <vector>

#include "supervisor/base/error.h"
#include "xsession/capture/codecs.h"

namespace deskbox {
namespace {

// libpng reports errors through a callback that must not return: throwing a
// C++ exception through libpng's C frames is not safe, so we longjmp back as
// libpng intends and throw from our own frame with the saved message.
struct PngErrorState {
    char message[200] = "";
};

void on_png_error(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
    std::snprintf(state->message, sizeof state->message, "%s", message);
    png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

struct ReadCursor {
    const std::string* bytes;
    std::size_t offset = 0;
};

void read_from_string(png_structp png, png_bytep data, png_size_t length) {
    auto* cursor = static_cast<ReadCursor*>(png_get_io_ptr(png));
    if (cursor->offset + length > cursor->bytes->size()) png_error(png, "truncated PNG data");
    std::memcpy(data, cursor->bytes->data() + cursor->offset, length);
    cursor->offset += length;
}

}  // namespace

RgbImage decode_png(const std::string& bytes) {
    if (bytes.size() < 8 || png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8) != 0) {
        throw Error("decoding PNG: not a PNG file");
    }
    PngErrorState state;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
    if (!png) throw Error("decoding PNG: out of memory");
    png_infop info = png_create_info_struct(png);
    RgbImage image;
    std::vector<png_bytep> rows;  // declared before setjmp: nothing with a destructor is born after it
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw Error(std::string("decoding PNG: ") + state.message);
    }
    ReadCursor cursor{&bytes, 0};
    png_set_read_fn(png, &cursor, read_from_string);
    png_set_user_limits(png, 16384, 16384);
    png_read_info(png, info);
    // Whatever the file holds, deliver 8-bit RGB.
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_gray_to_rgb(png);
    png_read_update_info(png, info);
    const int width = static_cast<int>(png_get_image_width(png, info));
    const int height = static_cast<int>(png_get_image_height(png, info));
    if (png_get_rowbytes(png, info) != static_cast<png_size_t>(width) * 3) png_error(png, "unexpected row layout");
    image = RgbImage(width, height);
    rows.resize(static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y) rows[static_cast<std::size_t>(y)] = image.at(0, y);
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return image;
}

}  // namespace deskbox
