// Renders a Plan for people (deskbox check) and for machines (deskbox check --json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "supervisor/manifest/admission.h"

namespace deskbox {

nlohmann::json plan_to_json(const Plan& plan);
std::string plan_to_text(const Plan& plan);

}  // namespace deskbox
