// deskbox screenshot -s NAME [-o FILE] [--format png|jpeg] [--settle]:
// capture the session's screen through its agent socket (the same path an
// agent's screenshot takes, policy gate included) and write the image.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "supervisor/session/paths.h"

namespace deskbox {

void add_screenshot_command(CLI::App& app, CommandAction& selected) {
    struct Options {
        std::string session;
        std::string output;
        std::string format = "png";
        int quality = 80;
        bool settle = false;
        bool cursor = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand("screenshot", "Capture a running session's screen to a file");
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp)->required();
    cmd->add_option("-o,--output", opts->output, "Image file to write ('-' for stdout; default screenshot.png/.jpg)");
    cmd->add_option("--format", opts->format, "png or jpeg")->check(CLI::IsMember({"png", "jpeg"}));
    cmd->add_option("--quality", opts->quality, "JPEG quality, 1-100")->check(CLI::Range(1, 100));
    cmd->add_flag("--settle", opts->settle, "Wait until the screen stops changing (capped) before capturing");
    cmd->add_flag("--cursor", opts->cursor, "Draw the pointer into the image");
    cmd->footer("Exit codes: 0 written, 1 refused, failed or the session is unreachable, 64 bad command line.");
    cmd->callback([opts, &selected] {
        selected = [opts]() -> int {
            validate_session_name(opts->session);
            const Json request = {{"id", "cli-screenshot"},   {"action", "screenshot"}, {"format", opts->format},
                                  {"quality", opts->quality}, {"settle", opts->settle}, {"cursor", opts->cursor}};
            AgentClient client((find_session_dir(opts->session) / "agent.sock").string());
            const Json reply = client.call_paced(request);
            if (!reply.value("ok", false)) {
                const Json error = reply.value("error", Json::object());
                std::cerr << "deskbox screenshot: " << error.value("message", std::string("no image in the reply"))
                          << "\n";
                return kExitFailure;
            }
            const Json image = reply.at("result").value("image", Json::object());
            std::string bytes;
            if (!image.contains("data") || !base64_decode(image["data"].get<std::string>(), bytes))
                throw Error("the session's reply carries no readable image");
            std::string path = opts->output;
            if (path.empty()) path = opts->format == "jpeg" ? "screenshot.jpg" : "screenshot.png";
            if (path == "-") {
                std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
                std::cout.flush();
                return std::cout ? kExitOk : kExitFailure;
            }
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            out.close();
            if (!out) throw Error("writing " + path + ": " + errno_text(errno));
            std::cerr << "wrote " << path << " (" << image.value("width", 0) << "x" << image.value("height", 0) << ", "
                      << bytes.size() << " bytes)\n";
            return kExitOk;
        };
    });
}

}  // namespace deskbox
