// An agent request that cannot be carried out as sent. `code` is the
// machine-readable reason in the error reply (docs/protocol.md lists them);
// what() is the sentence for the agent.
#pragma once

#include <string>

#include "supervisor/base/error.h"

namespace deskbox {

class ProtocolError : public Error {
public:
    ProtocolError(std::string code, const std::string& message) : Error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

}  // namespace deskbox
