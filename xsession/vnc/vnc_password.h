// Per-session VNC passwords in the classic vncpasswd file format (8 bytes,
// DES with the well-known VNC key), which x11vnc -rfbauth and clients such as
// vncviewer/vncsnapshot -passwd read. The format only obfuscates: the files
// are mode 0600 and the real barrier is that the server is reachable only
// through the supervisor's socket.
#pragma once

#include <string>

namespace deskbox {

// 8 random printable characters.
std::string random_vnc_password();
// The 8-byte file content for `password` (truncated/zero-padded to 8).
std::string vnc_password_file_bytes(const std::string& password);
// Writes it with mode 0600 (replacing an existing file).
void write_vnc_password_file(const std::string& path, const std::string& password);

}  // namespace deskbox
