#include "supervisor/session/parts/files.h"

#include "supervisor/sandbox/userns.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/upload.h"

namespace deskbox {

FilesPart::FilesPart(const Plan& plan, SandboxPart& sandbox, DesktopPart& desktop, GatePart& gate, AuditPart& audit,
                     SessionControl& control)
    : desktop_(desktop), gate_(gate) {
    const Manifest& m = plan.manifest;
    const auto& ids = sandbox.sandbox().ids();
    files_ = std::make_unique<SandboxFiles>(sandbox.sandbox().init_pid(), ids.host_uid_of(sandbox::kAppUid),
                                            ids.host_gid_of(sandbox::kAppGid));
    desktop.executor().on_upload(
        [&m, files = files_.get()](const UploadRequest& upload) { return run_upload(upload, m.uploads, *files); });
    collector_ = std::make_unique<Collector>(*files_, m.collect, logs_dir(control.name()) / "collected", audit.log());
    gate.gate().on_collect(
        [collector = collector_.get()](const Reviewer& by) { return collector->collect(reviewer_json(by)); });
}

FilesPart::~FilesPart() {
    desktop_.executor().on_upload({});
    gate_.gate().on_collect({});
}

void FilesPart::stop() {
    if (!collector_->empty()) collector_->collect(nullptr);
}

}  // namespace deskbox
