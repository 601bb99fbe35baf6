// The `upload` action, once the gate allowed it: the bytes the agent sent, or
// a host file the manifest lists under `uploads:` (read here, at most its
// max_size), written into the sandbox as the app user (sandbox_files.h).
#pragma once

#include <vector>

#include "supervisor/manifest/manifest.h"
#include "supervisor/session/sandbox_files.h"
#include "xsession/actions/executor.h"

namespace deskbox {

// ok with detail "upload ~/x.csv: 12 bytes, sha256 …" (the result record), or
// !ok with the reason (unknown source, a link on the way, no such folder...).
ActionResult run_upload(const UploadRequest& upload, const std::vector<UploadSource>& sources,
                        const SandboxFiles& files);

}  // namespace deskbox
