// When deskbox may type a manifest secret (type_secret, a {{secret:NAME}}
// placeholder, a setup login): pure rules over the context the gate read.
// Unknown is never allow: a field that could not be read refuses, naming it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/gate.h"
#include "supervisor/manifest/manifest.h"

namespace deskbox {

struct SecretRefusal {
    // "secret" (no such secret), "target" (not a password field nor an allowed
    // field), "place" (not a covered browser domain nor an allowed window).
    std::string condition;
    std::string reason;  // one sentence; never the value
};

// Checks, in order, that the secret exists, that the target is a password
// field or one of secrets.NAME.fields, and that the window is a browser whose
// document's host matches secrets.NAME.domains or one of secrets.NAME.windows.
std::optional<SecretRefusal> secret_refusal(const std::vector<SecretRef>& secrets, const std::string& name,
                                            const GateContext& context);

}  // namespace deskbox
