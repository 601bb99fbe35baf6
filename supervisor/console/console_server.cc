#include "supervisor/console/console_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "supervisor/base/error.h"
#include "supervisor/console/vnc_bridge.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox::console {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

namespace {

std::atomic<int> g_connections{0};

void set_timeouts(int fd) {
    timeval tv{60, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string read_password(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return "";
    std::stringstream ss;
    ss << in.rdbuf();
    return vnc_password_from_file_bytes(ss.str());
}

// The live view: WebSocket (binary) <-> vnc.sock, after the console did the
// VNC authentication (vnc_bridge.h).
// Takes the connection's stream by value: the WebSocket owns it from here on.
template <class Stream>
void bridge_vnc(Stream socket, const Request& request, const ConsoleApp::VncTarget& target) {
    websocket::stream<Stream> ws(std::move(socket));
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& r) { r.set(http::field::sec_websocket_protocol, "binary"); }));
    ws.read_message_max(1 << 20);
    ws.accept(request);
    ws.binary(true);

    asio::io_context io;
    local::socket vnc(io);
    vnc.connect(local::endpoint(target.socket.string()));
    std::mutex ws_write;  // the handshake and the pump both write to the browser

    ByteStream browser{[&] {
                           beast::flat_buffer b;
                           beast::error_code ec;
                           ws.read(b, ec);
                           if (ec) return std::string();
                           return beast::buffers_to_string(b.data());
                       },
                       [&](const std::string& bytes) {
                           std::lock_guard lock(ws_write);
                           ws.write(asio::buffer(bytes));
                       }};
    ByteStream server{[&] {
                          char buf[65536];
                          beast::error_code ec;
                          const std::size_t n = vnc.read_some(asio::buffer(buf), ec);
                          if (ec) return std::string();
                          return std::string(buf, n);
                      },
                      [&](const std::string& bytes) { asio::write(vnc, asio::buffer(bytes)); }};
    auto [from_browser, from_server] = rfb_handshake(
        browser, server, target.takeover_password ? *target.takeover_password : read_password(target.password));
    if (!from_server.empty()) browser.write(from_server);
    if (!from_browser.empty()) server.write(from_browser);

    // Browser -> session on its own thread; session -> browser here.
    std::thread up([&] {
        try {
            for (;;) {
                const std::string bytes = browser.read_some();
                if (bytes.empty()) break;
                server.write(bytes);
            }
        } catch (const std::exception&) {
        }
        beast::error_code ignored;
        vnc.shutdown(local::socket::shutdown_both, ignored);
    });
    try {
        for (;;) {
            const std::string bytes = server.read_some();
            if (bytes.empty()) break;
            browser.write(bytes);
        }
    } catch (const std::exception&) {
    }
    {
        std::lock_guard lock(ws_write);
        beast::error_code ignored;
        ws.close(websocket::close_code::normal, ignored);
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws).shutdown(asio::socket_base::shutdown_both, ignored);
    up.join();
}

template <class Stream>
void serve_connection(Stream socket, ConsoleApp& app, const std::string& client) {
    set_timeouts(socket.native_handle());
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 << 10);
        parser.body_limit(64 << 10);
        beast::error_code ec;
        http::read(socket, buffer, parser, ec);
        if (ec) break;
        Request request = parser.release();
        if (websocket::is_upgrade(request)) {
            auto target = app.vnc_target(request);
            if (auto* refusal = std::get_if<Response>(&target)) {
                http::write(socket, *refusal, ec);
                break;
            }
            try {
                bridge_vnc(std::move(socket), request, std::get<ConsoleApp::VncTarget>(target));
            } catch (const std::exception& e) {
                std::cerr << "deskbox console: live view for " << std::get<ConsoleApp::VncTarget>(target).reviewer
                          << ": " << e.what() << "\n";
            }
            return;
        }
        Response response = app.handle(request, client);
        http::write(socket, response, ec);
        if (ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_both, ignored);
}

template <class Stream>
void spawn(Stream socket, ConsoleApp& app, std::string client) {
    if (g_connections.fetch_add(1) >= kMaxConnections) {
        g_connections.fetch_sub(1);
        return;  // closed: the browser retries
    }
    std::thread([s = std::move(socket), &app, client = std::move(client)]() mutable {
        try {
            serve_connection(std::move(s), app, client);
        } catch (const std::exception& e) {
            std::cerr << "deskbox console: " << client << ": " << e.what() << "\n";
        }
        g_connections.fetch_sub(1);
    }).detach();
}

}  // namespace

struct ConsoleServer::Impl {
    ConsoleApp& app;
    ListenAddress where;
    asio::io_context io;
    std::optional<tcp::acceptor> tcp_acceptor;
    std::optional<local::acceptor> unix_acceptor;
};

ConsoleServer::ConsoleServer(ConsoleApp& app, const ListenAddress& where) : impl_(new Impl{app, where, {}, {}, {}}) {
    try {
        if (where.unix_socket) {
            ::unlink(where.path.c_str());
            const mode_t old = ::umask(0117);  // 0660: the reverse proxy's group may connect
            impl_->unix_acceptor.emplace(impl_->io, local::endpoint(where.path));
            ::umask(old);
        } else {
            const tcp::endpoint ep(asio::ip::make_address(where.host), where.port);
            tcp::acceptor& acceptor = impl_->tcp_acceptor.emplace(impl_->io);
            acceptor.open(ep.protocol());
            acceptor.set_option(asio::socket_base::reuse_address(true));
            acceptor.bind(ep);
            acceptor.listen();
        }
    } catch (const boost::system::system_error& e) {
        throw Error("listening on " +
                    (where.unix_socket ? "unix:" + where.path : where.host + ":" + std::to_string(where.port)) + ": " +
                    e.code().message());
    }
}

ConsoleServer::~ConsoleServer() = default;

std::string ConsoleServer::url() const {
    // Through a plain reference: the optional-access analysis follows a member, not unique_ptr's operator->.
    const Impl& impl = *impl_;
    if (impl.unix_acceptor) return "unix:" + impl.where.path;
    if (!impl.tcp_acceptor) throw Error("the console is not listening");
    const tcp::endpoint ep = impl.tcp_acceptor->local_endpoint();
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return "http://" + host + ":" + std::to_string(ep.port()) + "/";
}

void ConsoleServer::run() {
    // The constructor opened exactly one of the two acceptors.
    Impl& impl = *impl_;
    if (impl.unix_acceptor) {
        local::acceptor& acceptor = *impl.unix_acceptor;
        for (;;) {
            beast::error_code ec;
            local::socket s(impl_->io);
            acceptor.accept(s, ec);
            if (!ec) spawn(std::move(s), impl_->app, "unix");
        }
    }
    if (!impl.tcp_acceptor) throw Error("the console is not listening");
    tcp::acceptor& acceptor = *impl.tcp_acceptor;
    for (;;) {
        beast::error_code ec;
        tcp::socket s(impl_->io);
        acceptor.accept(s, ec);
        if (ec) continue;
        beast::error_code peer_ec;
        const auto peer = s.remote_endpoint(peer_ec);
        spawn(std::move(s), impl_->app, peer_ec ? "unknown" : peer.address().to_string());
    }
}

}  // namespace deskbox::console
