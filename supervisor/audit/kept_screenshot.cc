#include "supervisor/audit/kept_screenshot.h"

#include <fstream>
#include <iterator>
#include <string_view>

#include "supervisor/base/error.h"

namespace deskbox {

namespace {

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return !s.empty();
}

}  // namespace

std::optional<std::string> kept_screenshot_mime(const std::string& name) {
    if (name.size() != 68 || !is_lower_hex(std::string_view(name).substr(0, 64))) return std::nullopt;
    if (name.substr(64) == ".png") return "image/png";
    if (name.substr(64) == ".jpg") return "image/jpeg";
    return std::nullopt;
}

KeptScreenshot read_kept_screenshot(const std::filesystem::path& folder, const std::string& name) {
    const auto mime = kept_screenshot_mime(name);
    if (!mime) throw Error("'" + name + "' is not the name of a kept screenshot (<sha256 hex>.png or .jpg)");
    const auto path = folder / name;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error("screenshot " + name + " is not kept beside the log");
    if (size > kMaxKeptScreenshotBytes) throw Error("screenshot " + name + " is larger than 8 MiB");
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw Error("reading screenshot " + name + " failed");
    return {*mime, std::move(bytes)};
}

}  // namespace deskbox
