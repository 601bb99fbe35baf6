#include "supervisor/session/collect.h"

#include <sys/stat.h>

#include <cerrno>

#include "supervisor/audit/audit_log.h"
#include "supervisor/base/error.h"

namespace deskbox {

std::filesystem::path Collector::next_folder() {
    std::error_code ec;
    std::filesystem::create_directories(dest_root_.parent_path(), ec);
    if (ec) throw Error("creating " + dest_root_.parent_path().string() + ": " + ec.message());
    // Private like the kept audit log: the files are the agent's work product.
    if (mkdir(dest_root_.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("creating " + dest_root_.string());
    for (int n = 1;; ++n) {
        auto folder = dest_root_ / std::to_string(n);
        if (mkdir(folder.c_str(), 0700) == 0) return folder;
        if (errno != EEXIST) throw_errno("creating " + folder.string());
    }
}

nlohmann::json Collector::collect(const nlohmann::json& requested_by) {
    const auto folder = next_folder();
    nlohmann::json files = nlohmann::json::array();
    for (const auto& e : entries_) {
        const std::string name = e.path.substr(e.path.rfind('/') + 1);
        nlohmann::json record = {{"path", e.path}, {"line", e.line}};
        try {
            const FileDigest d = files_.copy_out(e.path, folder / name, e.max_size);
            record["copied"] = true;
            record["to"] = (folder / name).string();
            record["size"] = d.size;
            record["sha256"] = d.sha256;
        } catch (const Error& err) {
            record["copied"] = false;
            record["error"] = err.what();
        }
        if (!requested_by.is_null()) record["requested_by"] = requested_by;
        audit_.append("collect", record, Durability::Sync);
        files.push_back(std::move(record));
    }
    return {{"folder", folder.string()}, {"files", std::move(files)}};
}

}  // namespace deskbox
