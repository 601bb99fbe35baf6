#include "xsession/capture/codecs.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "supervisor/base/error.h"
#include "xsession/input/keymap.h"
#include "xsession/vnc/vnc_password.h"

using namespace deskbox;

namespace {

RgbImage pattern(int width, int height) {
    RgbImage image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = image.at(x, y);
            p[0] = static_cast<std::uint8_t>(x * 255 / width);
            p[1] = static_cast<std::uint8_t>(y * 255 / height);
            p[2] = static_cast<std::uint8_t>((x / 8 + y / 8) % 2 ? 200 : 30);
        }
    }
    return image;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(codecs)

BOOST_AUTO_TEST_CASE(png_round_trip_is_lossless) {
    const RgbImage image = pattern(173, 91);
    const std::string png = encode_png(image);
    BOOST_TEST(png.substr(1, 3) == "PNG");
    const RgbImage back = decode_png(png);
    BOOST_TEST(back.width == 173);
    BOOST_TEST(back.height == 91);
    BOOST_TEST((back.pixels == image.pixels));
}

BOOST_AUTO_TEST_CASE(jpeg_round_trip_is_close_and_quality_matters) {
    const RgbImage image = pattern(160, 120);
    const std::string high = encode_jpeg(image, 95);
    const std::string low = encode_jpeg(image, 20);
    BOOST_TEST(low.size() < high.size());
    const RgbImage back = decode_jpeg(high);
    BOOST_REQUIRE(back.width == 160);
    double total = 0;
    for (std::size_t i = 0; i < image.pixels.size(); ++i) total += std::abs(int(image.pixels[i]) - int(back.pixels[i]));
    // Chroma subsampling smears the 8-pixel blue checkerboard a little.
    BOOST_TEST(total / static_cast<double>(image.pixels.size()) < 10.0);
}

BOOST_AUTO_TEST_CASE(malformed_images_are_errors_not_crashes) {
    BOOST_CHECK_THROW(decode_png("not a png"), Error);
    std::string truncated = encode_png(pattern(32, 32));
    truncated.resize(truncated.size() / 2);
    try {
        decode_png(truncated);
        BOOST_FAIL("truncated PNG decoded");
    } catch (const Error& error) {
        BOOST_TEST(std::string(error.what()).rfind("decoding PNG: ", 0) == 0u);
    }
    BOOST_CHECK_THROW(decode_jpeg(std::string("\xff\xd8\xff\xe0garbage", 11)), Error);
    BOOST_CHECK_THROW(encode_png(RgbImage()), Error);
}

BOOST_AUTO_TEST_CASE(utf8_decoding_is_strict) {
    BOOST_TEST((decode_utf8("a\xc3\xa9\xe4\xb8\xad") == std::u32string{U'a', U'\u00e9', U'\u4e2d'}));
    BOOST_TEST((decode_utf8("\xf0\x9f\x98\x80") == std::u32string{U'\U0001F600'}));
    try {
        decode_utf8("ok\xc3(");
        BOOST_FAIL("invalid UTF-8 accepted");
    } catch (const Error& error) {
        BOOST_TEST(std::string(error.what()) == "text is not valid UTF-8 at byte 2");
    }
    BOOST_CHECK_THROW(decode_utf8("\xc0\x80"), Error);      // overlong
    BOOST_CHECK_THROW(decode_utf8("\xed\xa0\x80"), Error);  // surrogate
    BOOST_TEST(keysym_for_codepoint(U'a') == 0x61u);
    BOOST_TEST(keysym_for_codepoint(U'\u00e9') == 0xe9u);
    BOOST_TEST(keysym_for_codepoint(U'\u4e2d') == 0x1004e2du);
}

BOOST_AUTO_TEST_CASE(vnc_password_file_matches_the_vncpasswd_format) {
    // The same bytes `x11vnc -storepasswd 12345678 FILE` writes.
    BOOST_TEST(vnc_password_file_bytes("12345678") == std::string("\xf0\xe4\x31\x64\xf6\xc2\xe3\x73", 8));
    const std::string password = random_vnc_password();
    BOOST_TEST(password.size() == 8u);
    BOOST_TEST(random_vnc_password() != password);
    BOOST_TEST(vnc_password_from_file_bytes(vnc_password_file_bytes(password)) == password);
    BOOST_TEST(vnc_password_from_file_bytes(vnc_password_file_bytes("abc")) == "abc");
    BOOST_CHECK_THROW(vnc_password_from_file_bytes("short"), Error);
}

BOOST_AUTO_TEST_CASE(vnc_auth_response_is_des_with_the_bit_reversed_password) {
    // openssl enc -des-ecb -nopad -K 8c4ccc2cac6cec1c (the bytes of "12345678", each one's bits reversed)
    // over the challenge 00 01 .. 0f.
    std::string challenge;
    for (int i = 0; i < 16; ++i) challenge.push_back(static_cast<char>(i));
    BOOST_TEST(vnc_auth_response("12345678", challenge) ==
               std::string("\x83\xdd\x2b\x4d\xbd\x04\x36\x7f\x28\x57\x8f\xdd\x5b\x14\x27\x40", 16));
    BOOST_CHECK_THROW(vnc_auth_response("12345678", "too short"), Error);
}

BOOST_AUTO_TEST_SUITE_END()
