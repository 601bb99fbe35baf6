// deskbox-vnc-check STATUS_JSON
//
// What a reviewer does with a running session's VNC view, checked end to end
// with real clients. From the session's status.json it takes the agent socket
// and the VNC hint that `deskbox status` prints, and then:
//   - runs vncsnapshot with the TCP hint's own arguments, three times in a row
//     and two at once, and compares each image with a screenshot taken
//     through the agent socket;
//   - does the same through the hint's unix socket (vncsnapshot speaks TCP
//     only: a relay in this process bridges 127.0.0.1 to the socket);
//   - runs each command of the hint as printed (TigerVNC's viewer) on a
//     private Xvfb until it reports the session's pixel format;
//   - connects an RFB client of its own on each endpoint, types and moves the
//     pointer, and checks through the agent socket that none of it reached the
//     app (view-only). The takeover test (takeover_session_test.cc) shows the
//     same observation seeing a reviewer's input arrive.
// The session's app must have one editable text element (the default
// manifest's zenity --text-info --editable). Prints "ok - ..." per check; the
// first failure prints "FAIL - ..." and exits 1.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "tests/integration/agent_probe.h"
#include "tests/integration/client_process.h"
#include "tests/integration/rfb_client.h"
#include "tests/integration/tcp_unix_relay.h"
#include "xsession/capture/codecs.h"
#include "xsession/vnc/vnc_password.h"

using namespace deskbox;
using deskbox::test::AgentProbe;
using deskbox::test::ClientProcess;
using deskbox::test::RfbClient;
using deskbox::test::TcpUnixRelay;

namespace {

constexpr int kTimeoutMs = 60'000;
constexpr int kRounds = 3;
// JPEG at quality 100 of the same pixels, and the caret blinking meanwhile:
// mean errors per channel below these are the same picture (a window drawn
// in one and not the other puts a tile far above).
constexpr double kMaxMeanError = 3.0;
constexpr double kMaxTileError = 12.0;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read " + path + ": " + errno_text(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void ok(const std::string& what) {
    std::cout << "ok - " << what << std::endl;
}

// One command of the hint: PROGRAM -passwd FILE TARGET.
struct HintCommand {
    std::string program, password_file, target;
};

// "vncviewer -passwd F 127.0.0.1::PORT; or xtigervncviewer -passwd F PATH"
std::vector<HintCommand> parse_hint(const std::string& hint) {
    std::vector<HintCommand> commands;
    std::size_t at = 0;
    while (at <= hint.size()) {
        std::size_t end = hint.find("; or ", at);
        if (end == std::string::npos) end = hint.size();
        std::istringstream words(hint.substr(at, end - at));
        HintCommand c;
        std::string flag, extra;
        if (!(words >> c.program >> flag >> c.password_file >> c.target) || flag != "-passwd" || (words >> extra))
            throw Error("the VNC hint is not 'PROGRAM -passwd FILE TARGET[; or ...]': '" + hint + "'");
        commands.push_back(c);
        at = end + 5;
    }
    return commands;
}

// How far the VNC image is from the agent's screenshot: the mean absolute
// error per channel over the whole frame, and the worst 64x64 tile's (a
// missing or stale window shows there even when the frame's mean is small).
struct ImageError {
    double frame = 0, worst_tile = 0;
};

ImageError image_error(const RgbImage& ours, const RgbImage& theirs, const std::string& what) {
    if (ours.width != theirs.width || ours.height != theirs.height)
        throw Error(what + ": the VNC image is " + std::to_string(theirs.width) + "x" + std::to_string(theirs.height) +
                    ", the screen " + std::to_string(ours.width) + "x" + std::to_string(ours.height));
    constexpr int kTile = 64;
    ImageError error;
    double total = 0;
    for (int ty = 0; ty < ours.height; ty += kTile) {
        for (int tx = 0; tx < ours.width; tx += kTile) {
            double tile = 0;
            std::size_t n = 0;
            for (int y = ty; y < std::min(ty + kTile, ours.height); ++y) {
                for (int x = tx; x < std::min(tx + kTile, ours.width); ++x) {
                    for (int c = 0; c < 3; ++c) tile += std::abs(int(ours.at(x, y)[c]) - int(theirs.at(x, y)[c]));
                    n += 3;
                }
            }
            total += tile;
            error.worst_tile = std::max(error.worst_tile, tile / static_cast<double>(n));
        }
    }
    error.frame = total / (static_cast<double>(ours.width) * ours.height * 3);
    return error;
}

// Distinct colours (5 bits a channel) on the screen.
int colours(const RgbImage& image) {
    std::vector<bool> seen(1 << 15);
    int colours = 0;
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            const std::uint8_t* p = image.at(x, y);
            const int key = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3);
            if (!seen[key]) ++colours, seen[key] = true;
        }
    }
    return colours;
}

// The app's window is mapped when the session says ready, and drawn a little
// later: settled screenshots until the screen shows it (a bare Xvfb is one
// colour), or matching VNC images against it would prove little.
RgbImage screen_with_app(AgentProbe& agent) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        RgbImage screen = agent.screenshot(true);
        const int seen = colours(screen);
        if (seen >= 32) return screen;
        if (std::chrono::steady_clock::now() > deadline)
            throw Error("the agent's screenshot still shows " + std::to_string(seen) +
                        " colours after 60 s: no app window to compare with");
    }
}

// vncsnapshot with the hint's arguments (its syntax is vncviewer's), `rounds`
// times in a row, then two at once; each image matches the screen.
void snapshots(const std::string& password_file, const std::string& target, const std::string& label,
               const std::filesystem::path& work, const RgbImage& screen) {
    auto argv = [&](const std::string& file) {
        return std::vector<std::string>{"vncsnapshot", "-passwd", password_file, "-quality", "100", target, file};
    };
    auto compare = [&](const std::string& file, const std::string& what) {
        const ImageError error = image_error(screen, decode_jpeg(read_file(file)), what);
        const std::string figures =
            "mean error " + std::to_string(error.frame) + ", worst tile " + std::to_string(error.worst_tile);
        if (error.frame >= kMaxMeanError || error.worst_tile >= kMaxTileError)
            throw Error(what + ": the VNC image differs from the agent's screenshot (" + figures + ")");
        std::filesystem::remove(file);
        ok(what + " matches the agent's screenshot (" + figures + ")");
    };
    for (int i = 1; i <= kRounds; ++i) {
        const std::string file = (work / (label + "-" + std::to_string(i) + ".jpg")).string();
        ClientProcess client(argv(file));
        client.wait();
        compare(file, "vncsnapshot " + std::to_string(i) + "/" + std::to_string(kRounds) + " through " + label);
    }
    const std::string a = (work / (label + "-a.jpg")).string(), b = (work / (label + "-b.jpg")).string();
    ClientProcess first(argv(a)), second(argv(b));
    first.wait();
    second.wait();
    compare(a, "vncsnapshot A of two at once through " + label);
    compare(b, "vncsnapshot B of two at once through " + label);
}

// Runs a hint's command exactly as printed (through sh) on a private Xvfb and
// waits for the viewer to report the session's pixel format: connected,
// authenticated with the password file, initialised.
void viewer_as_printed(const std::string& command) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("creating a pipe");
    UniqueFd number_read(fds[0]), number_write(fds[1]);
    ClientProcess xvfb({"Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1024x768x24"}, "",
                       number_write.get());
    number_write.reset();
    std::string number;
    for (;;) {
        pollfd p{number_read.get(), POLLIN, 0};
        char c = 0;
        if (poll(&p, 1, kTimeoutMs) <= 0 || read(number_read.get(), &c, 1) != 1)
            throw Error("Xvfb for the viewer did not report its display number; its output: " + xvfb.output());
        if (c == '\n') break;
        number.push_back(c);
    }
    ClientProcess viewer({"sh", "-c", command}, ":" + number);
    viewer.read_until("Using pixel format");
    ok("'" + command + "' connects as printed");
}

// Types and moves the pointer over RFB, then looks at the app through the agent.
void input_check(RfbClient rfb, const std::string& password, AgentProbe& agent, const std::string& label, int round) {
    rfb.handshake(password);
    agent.call({{"action", "focus_element"}, {"role", "text"}});
    const std::string before = agent.text();
    const std::string typed = "vncleak" + std::to_string(round);
    for (char c : typed) {
        rfb.key(static_cast<unsigned char>(c), true);
        rfb.key(static_cast<unsigned char>(c), false);
    }
    rfb.round_trip();  // the server has handled the keys
    // The agent's own typing lands after the reviewer's would have (one X server, in order).
    const std::string marker = "agent" + std::to_string(round);
    agent.call({{"action", "type"}, {"text", marker}});
    const std::string after = agent.text_with(marker);
    if (after != before + marker)
        throw Error(label + ": keys typed over a view-only VNC connection reached the app: text '" + after +
                    "', expected '" + before + marker + "'");
    ok("keys typed over " + label + " did not reach the app (view-only)");

    const int x = 17 + round, y = 23 + round;  // a spot no one else moves the pointer to
    rfb.pointer(x, y, 0);
    rfb.round_trip();
    const auto [x1, y1] = agent.cursor();
    if (x1 == x && y1 == y)
        throw Error(label + ": the pointer is at " + std::to_string(x1) + "," + std::to_string(y1) +
                    " after a VNC pointer event to " + std::to_string(x) + "," + std::to_string(y) +
                    ": view-only, but it arrived");
    ok("the pointer ignored " + label);
}

int run(const std::string& status_path) {
    const Json status = Json::parse(read_file(status_path));
    const std::string hint = status.value("vnc", "");
    if (hint.empty()) throw Error(status_path + " has no VNC hint: the session has no reviewer view");
    ok("status hint: " + hint);
    std::string tcp_passwd, socket_passwd, socket_path;
    int port = 0;
    for (const HintCommand& c : parse_hint(hint)) {
        if (c.target.rfind("127.0.0.1::", 0) == 0 && c.program == "vncviewer") {
            tcp_passwd = c.password_file;
            port = std::stoi(c.target.substr(11));
        } else if (c.target.rfind('/', 0) == 0 && c.program == "xtigervncviewer") {
            socket_passwd = c.password_file;
            socket_path = c.target;
        } else {
            throw Error("unexpected command in the VNC hint: " + c.program + " ... " + c.target);
        }
    }
    if (port == 0 || socket_path.empty()) throw Error("the VNC hint lacks the TCP port or the socket: " + hint);
    const std::string password = vnc_password_from_file_bytes(read_file(tcp_passwd));
    if (vnc_password_from_file_bytes(read_file(socket_passwd)) != password)
        throw Error("the hint's two password files hold different passwords");

    char tmpl[] = "/tmp/deskbox-vnc-check-XXXXXX";
    if (!mkdtemp(tmpl)) throw_errno("creating a work folder");
    const std::filesystem::path work = tmpl;
    struct Remove {
        std::filesystem::path p;
        ~Remove() {
            std::error_code ec;
            std::filesystem::remove_all(p, ec);
        }
    } remove{work};

    AgentProbe agent(status.at("agent_socket").get<std::string>());
    const RgbImage screen = screen_with_app(agent);
    agent.wait_for_text_element();
    ok("the app is drawn and its text element answers over accessibility");
    snapshots(tcp_passwd, "127.0.0.1::" + std::to_string(port), "the TCP forwarder", work, screen);
    {
        TcpUnixRelay relay(socket_path);
        snapshots(socket_passwd, "127.0.0.1::" + std::to_string(relay.port()), "vnc.sock", work, screen);
    }
    for (const HintCommand& c : parse_hint(hint))
        viewer_as_printed(c.program + " -passwd " + c.password_file + " " + c.target);
    input_check(RfbClient::tcp(port), password, agent, "the TCP forwarder", 1);
    input_check(RfbClient::unix_socket(socket_path), password, agent, "vnc.sock", 2);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: deskbox-vnc-check STATUS_JSON\n";
        return 2;
    }
    try {
        return run(argv[1]);
    } catch (const std::exception& e) {
        std::cout << "FAIL - " << e.what() << std::endl;
        return 1;
    }
}
