// Capabilities: apps start with every set empty (bounding, ambient,
// inheritable, effective, permitted). Child-side functions: no allocation.
#pragma once

namespace deskbox::sandbox {

// Drops the bounding and ambient sets (needs CAP_SETPCAP, so call before
// changing to the app uid). Returns 0 or an errno.
int drop_bounding_and_ambient() noexcept;
// Clears effective, permitted and inheritable. Returns 0 or an errno.
int clear_capability_sets() noexcept;

}  // namespace deskbox::sandbox
