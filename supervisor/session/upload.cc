#include "supervisor/session/upload.h"

#include "supervisor/base/strict_yaml.h"

namespace deskbox {

ActionResult run_upload(const UploadRequest& upload, const std::vector<UploadSource>& sources,
                        const SandboxFiles& files) {
    ActionResult result;
    try {
        std::string bytes;
        const std::string* data = &upload.data;
        if (!upload.source.empty()) {
            const UploadSource* source = nullptr;
            std::string known;
            for (const auto& s : sources) {
                if (s.name == upload.source) source = &s;
                known += (known.empty() ? "" : ", ") + s.name;
            }
            if (!source)
                throw Error("no upload source '" + upload.source + "' in the manifest" +
                            (known.empty() ? std::string(" (it lists none)") : " (it lists " + known + ")"));
            bytes = read_bounded_file(source->from, "upload source '" + source->name + "'", source->max_size);
            if (bytes.size() > source->max_size)
                throw Error("upload source '" + source->name + "' is larger than its max_size of " +
                            std::to_string(source->max_size) + " bytes");
            data = &bytes;
        }
        const FileDigest d = files.write(upload.path, *data);
        result.detail = "upload " + upload.path + ": " + std::to_string(d.size) + " bytes, sha256 " + d.sha256 +
                        (upload.source.empty() ? std::string() : " (source '" + upload.source + "')");
    } catch (const Error& e) {
        result.ok = false;
        result.error = e.what();
    }
    return result;
}

}  // namespace deskbox
