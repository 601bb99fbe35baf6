#include "supervisor/cli/example_site.h"

#include <algorithm>
#include <cstdlib>

#include "supervisor/base/error.h"

namespace deskbox {

namespace {

constexpr std::string_view kListening = "listening on 127.0.0.1:";
constexpr std::string_view kServed = "served ";

std::vector<std::string> site_argv(const ExampleSiteOptions& o) {
    std::vector<std::string> args = {"python3", o.script.string(), "--port", std::to_string(o.port)};
    if (o.login)
        args.insert(args.end(), {"--user", o.user, "--password", o.password});
    else
        args.emplace_back("--no-login");
    return args;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

ExampleSite::ExampleSite(const ExampleSiteOptions& o)
    : script_(o.script.string()), process_(site_argv(o), LineProcess::Output::Stdout) {
    if (!process_.wait_line_starting(std::string(kListening), o.start_timeout_ms)) {
        std::string said;
        for (const auto& l : process_.lines()) said += " " + l;
        throw Error("the example site " + script_ + " did not say where it listens within " +
                    std::to_string(o.start_timeout_ms / 1000) + " s (its error is above)" + said);
    }
    for (const auto& l : process_.lines())
        if (l.starts_with(kListening)) port_ = std::atoi(l.c_str() + kListening.size());
}

std::vector<std::string> ExampleSite::requests() const {
    std::vector<std::string> out;
    for (const auto& l : process_.lines())
        if (l.starts_with(kServed)) out.push_back(l.substr(kServed.size()));
    return out;
}

bool ExampleSite::served(const std::string& host_and_path) const {
    return has_line(process_.lines(), std::string(kServed) + host_and_path);
}

bool ExampleSite::wait_served(const std::string& host_and_path, int timeout_ms) {
    const std::string line = std::string(kServed) + host_and_path;
    return process_.wait_until([&](const std::vector<std::string>& lines) { return has_line(lines, line); },
                               timeout_ms);
}

void ExampleSite::command(const std::string& line, const std::string& answer, int timeout_ms) {
    process_.write_line(line);
    if (!process_.wait_until([&](const std::vector<std::string>& lines) { return has_line(lines, answer); },
                             timeout_ms))
        throw Error("the example site did not answer '" + line + "' with '" + answer + "' within " +
                    std::to_string(timeout_ms / 1000) + " s");
}

}  // namespace deskbox
