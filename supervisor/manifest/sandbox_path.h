// Paths of files inside a sandbox, as manifests and agents write them: in the
// app user's home ("~/a/b") or in /tmp ("/tmp/a"), the two tmpfs an app can
// write to. Checked for shape here (no "..", ".", empty components); resolving
// them without following links is supervisor/session/sandbox_files.h's job.
#pragma once

#include <string>

namespace deskbox {

struct SandboxPath {
    bool in_home = true;   // else /tmp
    std::string relative;  // "a/b.txt" below that folder
};

// Throws deskbox::Error "sandbox path 'x': <reason>" for anything else.
SandboxPath split_sandbox_path(const std::string& path);

}  // namespace deskbox
