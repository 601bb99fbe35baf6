// The manifest's `setup:` steps: host-owned actions run after the apps are
// ready and before the agent socket opens. They use the same executor as the
// agent's actions (same input, same element grounding) but are not gated by
// the agent policy: the manifest is the operator's. Each step is audited
// ("setup", by: manifest, its line); a secret is typed only under the same
// conditions as type_secret (secret_conditions.h).
#pragma once

#include <functional>
#include <vector>

// Before any X header: X.h defines None, a NetworkMode enumerator.
#include "supervisor/audit/audit_log.h"
#include "supervisor/manifest/manifest.h"
#include "supervisor/session/session_executor.h"

namespace deskbox {

struct SetupEnvironment {
    Display* display = nullptr;  // the supervisor's X connection (window waits, activation)
    SessionExecutor* executor = nullptr;
    a11y::A11yClient* a11y = nullptr;  // null: element steps fail saying so
    const std::vector<SecretRef>* secrets = nullptr;
    // Starts a process in the sandbox (open: the app's exec plus the target;
    // launch: its own exec). Throws deskbox::Error when it cannot start.
    std::function<void(const SetupStep& step)> spawn;
};

// Runs the steps in order. The first that fails stops the list and throws
// deskbox::Error "setup[2] wait_for (manifest line 31): no window with title
// 'x' appeared within 5s", after auditing the failure.
void run_setup(const std::vector<SetupStep>& steps, SetupEnvironment& env, AuditLog& log);

}  // namespace deskbox
