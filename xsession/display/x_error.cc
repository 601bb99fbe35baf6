#include "xsession/display/x_error.h"

#include <cstdio>
#include <map>
#include <mutex>

namespace deskbox {
namespace {

std::mutex sinks_mutex;
std::map<Display*, std::function<void(const XErrorInfo&)>>& sinks() {
    static std::map<Display*, std::function<void(const XErrorInfo&)>> map;
    return map;
}

thread_local XErrorTrap* innermost_trap = nullptr;

std::string hex(unsigned long value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", value);
    return buf;
}

// Extension names by major opcode, per display: read when the connection
// opens, because an error handler must not make requests (Xlib would deadlock).
std::map<Display*, std::map<int, std::string>>& extension_names() {
    static std::map<Display*, std::map<int, std::string>> map;
    return map;
}

std::string extension_name(Display* display, int major) {
    std::lock_guard lock(sinks_mutex);
    auto it = extension_names().find(display);
    if (it == extension_names().end()) return {};
    auto name = it->second.find(major);
    return name == it->second.end() ? std::string() : name->second;
}

int on_x_error(Display* display, XErrorEvent* event) {
    const XErrorInfo info = decode_x_error(display, *event);
    if (innermost_trap && innermost_trap->display() == display) {
        innermost_trap->record(info);
        return 0;
    }
    std::function<void(const XErrorInfo&)> sink;
    {
        std::lock_guard lock(sinks_mutex);
        auto it = sinks().find(display);
        if (it != sinks().end()) sink = it->second;
    }
    std::fprintf(stderr, "deskbox: %s\n", info.message.c_str());
    if (sink) sink(info);
    return 0;
}

}  // namespace

XErrorInfo decode_x_error(Display* display, const XErrorEvent& event) {
    XErrorInfo info;
    info.error_code = event.error_code;
    info.request_major = event.request_code;
    info.request_minor = event.minor_code;
    info.resource = event.resourceid;
    info.serial = event.serial;

    char code_text[128] = "";
    XGetErrorText(display, event.error_code, code_text, sizeof code_text);
    char request_text[128] = "";
    std::string request = std::to_string(info.request_major);
    if (info.request_major < 128) {
        XGetErrorDatabaseText(display, "XRequest", std::to_string(info.request_major).c_str(), "", request_text,
                              sizeof request_text);
        if (request_text[0]) request += std::string(" (") + request_text + ")";
    } else {
        const std::string ext = extension_name(display, info.request_major);
        const std::string key = ext + "." + std::to_string(info.request_minor);
        XGetErrorDatabaseText(display, "XRequest", key.c_str(), "", request_text, sizeof request_text);
        request += "." + std::to_string(info.request_minor) + " (" + (ext.empty() ? "unknown extension" : ext);
        if (request_text[0]) request += std::string(" ") + request_text;
        request += ")";
    }
    info.message = std::string("X error ") + code_text + " in request " + request + ", resource " + hex(info.resource) +
                   ", serial " + std::to_string(info.serial);
    return info;
}

void install_x_error_handlers() {
    static std::once_flag once;
    std::call_once(once, [] { XSetErrorHandler(on_x_error); });
}

void register_x_error_sink(Display* display, std::function<void(const XErrorInfo&)> sink) {
    std::map<int, std::string> names;
    int count = 0;
    char** list = XListExtensions(display, &count);
    for (int i = 0; list && i < count; ++i) {
        int opcode = 0, event = 0, error = 0;
        if (XQueryExtension(display, list[i], &opcode, &event, &error)) names[opcode] = list[i];
    }
    if (list) XFreeExtensionList(list);
    std::lock_guard lock(sinks_mutex);
    sinks()[display] = std::move(sink);
    extension_names()[display] = std::move(names);
}

void unregister_x_error_sink(Display* display) {
    std::lock_guard lock(sinks_mutex);
    sinks().erase(display);
    extension_names().erase(display);
}

XErrorTrap::XErrorTrap(Display* display) : display_(display), outer_(innermost_trap) {
    innermost_trap = this;
}

XErrorTrap::~XErrorTrap() {
    innermost_trap = outer_;
}

const std::vector<XErrorInfo>& XErrorTrap::sync_and_get() {
    XSync(display_, False);
    return errors_;
}

}  // namespace deskbox
