// How proposals look in the audit log: the normalized action, the target,
// window and domain the gate saw. Text typed into a password field is never
// recorded (not even redacted); everything else is redacted by the log.
#pragma once

#include <nlohmann/json.hpp>

#include "policy/gate.h"
#include "xsession/actions/action.h"

namespace deskbox {

// Whether the text (and keys) of a keyboard action may be written anywhere:
// never into a password field; where the focused element is unknown, as the
// policy's unknown_focus_text says (default: omit). Omitted text is kept as its length.
enum class TextRecording { Record, OmitPasswordField, OmitUnknownFocus };
TextRecording text_recording(const Action& action, const GateContext& context, UnknownFocusText unknown_focus);

// OpenAI safety checks as reviewers and auditors see them: [{id, code, message}].
nlohmann::json safety_checks_json(const std::vector<SafetyCheck>& checks);

nlohmann::json action_record_json(const Action& action, TextRecording recording);
nlohmann::json context_record_json(const GateContext& context);

}  // namespace deskbox
