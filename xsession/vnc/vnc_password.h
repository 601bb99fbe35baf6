// Per-session VNC passwords in the classic vncpasswd file format (8 bytes,
// DES with the well-known VNC key), which x11vnc -rfbauth and clients such as
// vncviewer/vncsnapshot -passwd read. The format only obfuscates: the files
// are mode 0600 and the real barrier is that the server is reachable only
// through the supervisor's socket.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace deskbox {

// 8 random printable characters.
std::string random_vnc_password();
// The 8-byte file content for `password` (truncated/zero-padded to 8).
std::string vnc_password_file_bytes(const std::string& password);
// The password back from such a file's first 8 bytes (a reviewer's client reads it).
std::string vnc_password_from_file_bytes(const std::string& bytes);
// VNC authentication (RFB security type 2): the 16-byte response to the
// server's 16-byte challenge for `password`.
std::string vnc_auth_response(const std::string& password, const std::string& challenge);
// Who must read a password file: 0600 is owner-only, and x11vnc runs as the
// sandbox's app user, not as the supervisor.
struct FileOwner {
    uid_t uid;
    gid_t gid;
};
// Writes it with mode 0600 (replacing an existing file), owned by `owner`
// when given (set on the fd before a byte is written).
void write_vnc_password_file(const std::string& path, const std::string& password,
                             std::optional<FileOwner> owner = std::nullopt);

}  // namespace deskbox
