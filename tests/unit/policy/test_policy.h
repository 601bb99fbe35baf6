// The seed scenario's policy, shared by the gate tests.
#pragma once

#include "policy/policy_parser.h"

namespace deskbox::test {

inline const char* kCiIncidentPolicy = R"(version: 1
default: deny
tiers:
  low: allow
  medium: allow
  high: {approve: {timeout: 5m}}
taint:
  patterns: ["(?i)ignore (all |any )?(previous|prior) instructions"]
  escalate: [medium, high]
  to: approve
observe:
  no_screenshots:
    - {name: password manager, window: {class: "(?i)keepass"}}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, zoom, wait, done, fail]}, tier: low}
  - {name: no terminals, when: {window: {class: "(?i)term"}}, decision: deny}
  - {name: no ctrl-alt-delete, when: {keys: "ctrl+alt+Delete"}, decision: deny}
  - {name: no shell commands, when: {action: [type, type_into], text: "rm -rf"}, decision: deny}
  - {name: deploy controls, when: {target: {name: "(?i)rerun|deploy|delete"}}, tier: high}
  - {name: incident updates, when: {domain: "*.incidents.example", action: [click, click_element, type, type_into, key]}, tier: high}
  - {name: incident reading, when: {domain: "*.incidents.example"}, tier: low}
  - {name: ci lookup, when: {domain: ci.example}, tier: medium}
  - {name: other sites, when: {window: {class: "(?i)chromium"}}, decision: deny}
)";

inline Policy ci_incident_policy() {
    return parse_policy_text(kCiIncidentPolicy, "ci-incident.yaml");
}

}  // namespace deskbox::test
