#include "supervisor/session/verify_windows.h"

#include "xsession/display/windows.h"

namespace deskbox {

std::vector<VerifyWindow> verify_windows(_XDisplay* display) {
    std::vector<VerifyWindow> out;
    for (const auto& w : list_windows(display)) out.push_back({w.wm_instance, w.wm_class, w.title});
    return out;
}

}  // namespace deskbox
