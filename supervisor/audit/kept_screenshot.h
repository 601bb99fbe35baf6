// Screenshots kept beside an audit log (manifest observe.keep_screenshots):
// AuditedGate names each "<sha256 hex>.png" or ".jpg" in the folder
// screenshots/, and an observation record carries that name as `kept_as`.
// Readers (the HTML report, the console's timeline thumbnails) take a name
// from the log, which is text: only names of exactly that shape are read, so
// a doctored log cannot make them open any other file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace deskbox {

// A kept screenshot larger than this is not handed out (the gate's own PNGs
// of a 4K screen stay well below it).
constexpr std::uintmax_t kMaxKeptScreenshotBytes = 8 << 20;

// "image/png" / "image/jpeg" for a name deskbox writes; nothing otherwise.
std::optional<std::string> kept_screenshot_mime(const std::string& name);

struct KeptScreenshot {
    std::string mime;
    std::string bytes;
};

// Reads `name` from `folder` (the screenshots/ folder itself). Error naming
// the problem when the name is not one deskbox writes, the file is missing,
// or it is larger than kMaxKeptScreenshotBytes.
KeptScreenshot read_kept_screenshot(const std::filesystem::path& folder, const std::string& name);

}  // namespace deskbox
