// The manifest's `collect:` files, copied out of the sandbox into the kept
// logs dir (beside audit.jsonl, which outlives the session): at teardown,
// before the home is destroyed, and on a reviewer's `deskbox collect`. Each
// collection goes into its own numbered folder (collected/1, collected/2...),
// each file is copied through SandboxFiles (no link followed, no escape, at
// most its max_size) and gets one `collect` audit record with its size and
// sha256, or the reason it was not copied.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "supervisor/manifest/manifest.h"
#include "supervisor/session/sandbox_files.h"

namespace deskbox {

class AuditLog;

class Collector {
public:
    Collector(const SandboxFiles& files, std::vector<CollectEntry> entries, std::filesystem::path dest_root,
              AuditLog& audit)
        : files_(files), entries_(std::move(entries)), dest_root_(std::move(dest_root)), audit_(audit) {}

    // Copies every entry now; `requested_by` (null at teardown) is named in
    // the records. Returns {"folder": F, "files": [{path, copied, size,
    // sha256 | error}...]}. Throws deskbox::Error only when the folder cannot be made.
    nlohmann::json collect(const nlohmann::json& requested_by);
    bool empty() const { return entries_.empty(); }

private:
    std::filesystem::path next_folder();
    const SandboxFiles& files_;
    std::vector<CollectEntry> entries_;
    std::filesystem::path dest_root_;
    AuditLog& audit_;
};

}  // namespace deskbox
