// `deskbox audit show`: an audit log as a readable timeline, one line per
// record ("08:01:44.123  #12 decision  P3 approve by rule 'deploy controls' (high)").
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace deskbox {

// One record's summary (without time and number).
std::string summarize_audit_record(const nlohmann::json& record);
// Every line of `text`; lines that are not records are shown as such.
void print_audit_timeline(std::string_view text, std::ostream& out);

}  // namespace deskbox
