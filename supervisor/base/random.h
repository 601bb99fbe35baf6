// Bytes from the kernel's CSPRNG (getrandom), for cookies, passwords and tokens.
#pragma once

#include <cstddef>
#include <string>

namespace deskbox {

// Fills buf with n random bytes; throws Error naming `purpose` if the kernel refuses.
void fill_random(void* buf, std::size_t n, const std::string& purpose);

}  // namespace deskbox
