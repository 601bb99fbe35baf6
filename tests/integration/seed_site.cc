#include "tests/integration/seed_site.h"

#include <cstdlib>
#include <stdexcept>

namespace deskbox::test {

namespace {

ExampleSiteOptions seed_options() {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    if (root == nullptr) throw std::runtime_error("DESKBOX_SOURCE_ROOT is not set (run through meson test)");
    ExampleSiteOptions o;
    o.script = std::filesystem::path(root) / "examples/ci-incident/site.py";
    return o;  // any free port, no sign-in
}

}  // namespace

SeedSite::SeedSite() : site_(seed_options()) {}

}  // namespace deskbox::test
