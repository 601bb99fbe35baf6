// The one door every proposed action passes through before it reaches the
// display. The agent protocol (supervisor/control) calls propose(); the policy
// gate (policy/gate.h) implements it, audits the decision durably, and answers
// at once (execute / refuse) or later (after a reviewer approves or denies, or
// the approval times out).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "xsession/actions/action.h"

namespace deskbox {

struct GateVerdict {
    enum class Outcome { Execute, Refuse, Pending } outcome = Outcome::Refuse;
    std::string rule;                            // the rule that decided ("default" when none matched)
    std::string reason;                          // for the agent: why refused / what it waits for
    std::string approval_id;                     // when Pending
    std::string proposal_id;                     // audit id of the proposal, echoed in the result record
    std::optional<std::int64_t> retry_after_ms;  // a budget:rate refusal: propose again after this long
};

struct Proposal {
    Action action;
    Dialect dialect = Dialect::Deskbox;
    std::string request_id;  // the agent's id, for the audit trail
    std::string agent;       // the name the connection identified as (empty: none)
};

class GatePort {
public:
    virtual ~GatePort() = default;
    // `decided` is called once with Execute or Refuse. When the decision is to
    // wait for a reviewer, `pending` is called first (with the approval id) and
    // `decided` later, on the event loop thread.
    virtual void propose(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                         std::function<void(const GateVerdict&)> decided) = 0;
    // Records what executing an allowed action did (audit "result" record).
    virtual void record_result(const GateVerdict& verdict, bool ok, const std::string& detail) = 0;
};

}  // namespace deskbox
