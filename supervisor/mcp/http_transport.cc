#include "supervisor/mcp/http_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "supervisor/base/error.h"
#include "supervisor/control/unix_listener.h"

namespace deskbox::mcp {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::generic::stream_protocol::socket;
using Request = http::request<http::string_body>;

struct HttpServer::Session {
    std::string agent;  // the token's name: only this agent may use the session
    McpSession mcp;
};

namespace {

std::string_view sv(beast::string_view v) {
    return {v.data(), v.size()};
}

// An idle keep-alive connection, or a client that stops sending, gives up its
// thread after this long.
constexpr int kIdleSeconds = 120;

std::int64_t monotonic_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1;  // never 0, which means "not reading"
}

std::string random_session_id() {
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) throw_errno("getrandom");
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 15];
    }
    return id;
}

UniqueFd listen_tcp(const ListenAddress& a, std::string& bound) {
    const bool v6 = a.host.find(':') != std::string::npos;
    UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw_errno("creating a socket for " + a.text());
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a.port);
        inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a.port);
        inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr);
        len = sizeof *s4;
    }
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) throw_errno("listening on " + a.text());
    if (::listen(fd.get(), 64) != 0) throw_errno("listening on " + a.text());
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) throw_errno("getsockname");
    ListenAddress actual = a;
    actual.port =
        ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    bound = actual.text();
    return fd;
}

// One HTTP request and its answer on one connection.
class Exchange {
public:
    Exchange(Socket& socket, const Request& request, const HttpOptions& options, McpServer& mcp,
             std::mutex& sessions_mutex, std::map<std::string, std::shared_ptr<HttpServer::Session>>& sessions)
        : socket_(socket),
          req_(request),
          options_(options),
          mcp_(mcp),
          sessions_mutex_(sessions_mutex),
          sessions_(sessions) {}

    // False when the connection must close after it.
    bool run();

private:
    bool reply(http::status status, const std::string& body, const char* content_type = "application/json",
               std::vector<std::pair<std::string, std::string>> headers = {});
    bool reply_error(http::status status, int code, const std::string& message) {
        return reply(status, rpc_error(nullptr, code, message).dump());
    }
    bool post(const std::string& agent);
    bool stream_call(HttpServer::Session& session, const Json& message);
    std::shared_ptr<HttpServer::Session> find_session(const std::string& agent, bool& answered);

    Socket& socket_;
    const Request& req_;
    const HttpOptions& options_;
    McpServer& mcp_;
    std::mutex& sessions_mutex_;
    std::map<std::string, std::shared_ptr<HttpServer::Session>>& sessions_;
    bool close_ = false;
};

bool Exchange::reply(http::status status, const std::string& body, const char* content_type,
                     std::vector<std::pair<std::string, std::string>> headers) {
    http::response<http::string_body> res{status, req_.version()};
    res.set(http::field::server, "deskbox-mcp");
    if (!body.empty()) res.set(http::field::content_type, content_type);
    for (auto& [name, value] : headers) res.set(name, value);
    res.body() = body;
    res.keep_alive(req_.keep_alive() && !close_);
    res.prepare_payload();
    beast::error_code ec;
    http::write(socket_, res, ec);
    return !ec && res.keep_alive();
}

bool Exchange::run() {
    // 1. A browser page must come from a loopback origin (DNS rebinding).
    const std::string origin(req_[http::field::origin]);
    if (!origin_allowed(origin, options_.allowed_origins))
        return reply_error(http::status::forbidden, kInvalidRequest,
                           "Forbidden: origin '" + origin + "' is not allowed");
    // 2. A bearer token of an active agent, before anything else is looked at.
    const std::string_view auth = sv(req_[http::field::authorization]);
    std::optional<std::string> agent;
    const bool has_bearer = auth.size() > 7 && strncasecmp(auth.data(), "Bearer ", 7) == 0;
    if (has_bearer) agent = options_.authenticate(auth.substr(7));
    if (!agent) {
        close_ = true;
        const std::string challenge =
            has_bearer
                ? R"(Bearer realm="deskbox-mcp", error="invalid_token", error_description="the token is unknown or revoked")"
                : R"(Bearer realm="deskbox-mcp")";
        return reply(http::status::unauthorized,
                     rpc_error(nullptr, kInvalidRequest,
                               has_bearer ? "Unauthorized: the token is unknown or revoked"
                                          : "Unauthorized: send 'Authorization: Bearer TOKEN' (deskbox token add NAME)")
                         .dump(),
                     "application/json", {{"WWW-Authenticate", challenge}});
    }
    std::string_view target = sv(req_.target());
    target = target.substr(0, target.find('?'));
    if (target != kEndpoint)
        return reply_error(http::status::not_found, kInvalidRequest, "Not Found: the endpoint is /mcp");
    const std::string_view version = sv(req_["MCP-Protocol-Version"]);
    if (!version.empty() && !is_supported_version(version))
        return reply_error(http::status::bad_request, kInvalidRequest,
                           "Bad Request: unsupported MCP-Protocol-Version '" + std::string(version) + "'");
    switch (req_.method()) {
        case http::verb::post:
            return post(*agent);
        case http::verb::delete_: {
            bool answered = false;
            const std::string id(req_["Mcp-Session-Id"]);
            if (!find_session(*agent, answered)) return answered;
            std::lock_guard lock(sessions_mutex_);
            sessions_.erase(id);
            return reply(http::status::ok, "");
        }
        default:
            return reply(
                http::status::method_not_allowed,
                rpc_error(nullptr, kInvalidRequest, "Method Not Allowed: use POST (GET streams are not offered)")
                    .dump(),
                "application/json", {{"Allow", "POST, DELETE"}});
    }
}

std::shared_ptr<HttpServer::Session> Exchange::find_session(const std::string& agent, bool& answered) {
    const std::string id(req_["Mcp-Session-Id"]);
    if (id.empty()) {
        answered =
            reply_error(http::status::bad_request, kInvalidRequest, "Bad Request: Mcp-Session-Id header is required");
        return nullptr;
    }
    {
        std::lock_guard lock(sessions_mutex_);
        auto it = sessions_.find(id);
        // Another agent's session is as unknown as a made-up one.
        if (it != sessions_.end() && it->second->agent == agent) return it->second;
    }
    answered = reply_error(http::status::not_found, kInvalidRequest, "Not Found: no such session (initialize again)");
    return nullptr;
}

bool Exchange::post(const std::string& agent) {
    const std::string_view type = sv(req_[http::field::content_type]);
    if (type.substr(0, type.find(';')) != "application/json")
        return reply_error(http::status::unsupported_media_type, kInvalidRequest,
                           "Unsupported Media Type: the body must be application/json");
    const Json message = Json::parse(req_.body(), nullptr, false);
    if (message.is_discarded())
        return reply_error(http::status::bad_request, kParseError, "Parse error: the body is not valid JSON");
    if (is_request(message) && message.value("method", Json()) == "initialize") {
        auto session = std::make_shared<HttpServer::Session>();
        session->agent = agent;
        session->mcp.agent = agent;
        const auto response = mcp_.handle(session->mcp, message);
        // A request always has an answer (only notifications have none).
        if (!response)
            return reply_error(http::status::internal_server_error, kInternalError,
                               "Internal Server Error: initialize had no answer");
        const std::string id = random_session_id();
        {
            std::lock_guard lock(sessions_mutex_);
            if (sessions_.size() >= options_.max_sessions)
                return reply_error(http::status::service_unavailable, kInternalError,
                                   "Service Unavailable: too many sessions; end some with DELETE");
            sessions_[id] = session;
        }
        return reply(http::status::ok, response->dump(), "application/json", {{"Mcp-Session-Id", id}});
    }
    bool answered = false;
    const auto session = find_session(agent, answered);
    if (!session) return answered;
    if (!is_request(message)) {
        const auto response = mcp_.handle(session->mcp, message);  // notifications, or a malformed message
        if (response) return reply(http::status::bad_request, response->dump());
        return reply(http::status::accepted, "");
    }
    const std::string_view accept = sv(req_[http::field::accept]);
    if (message.value("method", Json()) == "tools/call" && accept.find("text/event-stream") != std::string_view::npos)
        return stream_call(*session, message);
    const auto response = mcp_.handle(session->mcp, message);
    return reply(http::status::ok, response ? response->dump() : "");
}

// SSE: progress notifications as they come, then the response, then the end.
bool Exchange::stream_call(HttpServer::Session& session, const Json& message) {
    http::response<http::empty_body> res{http::status::ok, req_.version()};
    res.set(http::field::server, "deskbox-mcp");
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-cache");
    res.keep_alive(req_.keep_alive());
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    beast::error_code ec;
    http::write_header(socket_, sr, ec);
    if (ec) return false;
    bool broken = false;
    auto event = [&](const Json& m) {
        if (broken) return;
        const std::string data =
            "event: message\ndata: " + m.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
        asio::write(socket_, http::make_chunk(asio::buffer(data)), ec);
        if (ec) broken = true;
    };
    const auto response = mcp_.handle(session.mcp, message, event);
    if (response) event(*response);
    if (broken) return false;
    asio::write(socket_, http::make_chunk_last(), ec);
    return !ec && req_.keep_alive();
}

}  // namespace

HttpServer::HttpServer(McpServer& server, AgentBackend& pool, HttpOptions options)
    : server_(server), pool_(pool), options_(std::move(options)) {
    stop_fd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_fd_) throw_errno("eventfd");
    const ListenAddress& a = options_.address;
    if (a.unix_socket) {
        // The control area's listener knows stale and live socket files and
        // removes its file at the end; its loop is never run (we accept).
        unused_loop_ = std::make_unique<EventLoop>();
        unix_listener_ = std::make_unique<UnixListener>(
            *unused_loop_, a.path, SocketAccess{options_.socket_mode}, [](UniqueFd) {}, 64);
        bound_ = a.text();
    } else {
        listen_fd_ = listen_tcp(a, bound_);
    }
}

HttpServer::~HttpServer() {
    stop();
    reap(true);
}

std::string HttpServer::bound_address() const {
    return bound_;
}

void HttpServer::stop() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(stop_fd_.get(), &one, sizeof one);
}

void HttpServer::reap(bool all) {
    std::list<Connection> finished;
    {
        std::lock_guard lock(connections_mutex_);
        for (auto it = connections_.begin(); it != connections_.end();) {
            if (all || it->done->load()) {
                if (all) ::shutdown(it->fd.get(), SHUT_RDWR);  // wakes its blocked read or write
                finished.splice(finished.end(), connections_, it++);
            } else {
                ++it;
            }
        }
    }
    for (Connection& c : finished)
        if (c.thread.joinable()) c.thread.join();
}

void HttpServer::run() {
    const int lfd = unix_listener_ ? unix_listener_->fd() : listen_fd_.get();
    for (;;) {
        pollfd fds[2] = {{lfd, POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
        const int n = ::poll(fds, 2, 1000);
        if (n < 0 && errno != EINTR) throw_errno("waiting for connections on " + bound_);
        if (fds[1].revents) break;
        reap(false);
        close_idle();
        if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
        const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;  // EAGAIN (another wake-up took it), EMFILE: try again on the next round
        if (!unix_listener_) {
            // An SSE answer is several small writes (header, events, end):
            // without this, Nagle's algorithm holds each behind the client's
            // delayed ACK (40 ms a call).
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        std::lock_guard lock(connections_mutex_);
        if (connections_.size() >= options_.max_connections) {
            static const char busy[] =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            [[maybe_unused]] const ssize_t w = ::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
            ::close(fd);
            continue;
        }
        Connection& c = connections_.emplace_back();
        c.fd = UniqueFd(fd);
        // The thread's socket is a duplicate: the original stays here until
        // the thread is joined, so stop() never shuts down a reused number.
        const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dup < 0) {
            connections_.pop_back();
            continue;
        }
        c.thread = std::thread([this, dup, done = c.done, reading = c.reading_since] {
            serve(dup, *reading);
            done->store(true);
        });
    }
    // Calls waiting for a reviewer end (their agent.sock connections close);
    // then every connection is shut down and its thread joined.
    pool_.interrupt_all();
    reap(true);
}

void HttpServer::close_idle() {
    // Asio's blocking reads ignore SO_RCVTIMEO (they poll again), so idle
    // connections are shut down from here; one busy with a request (a tool
    // call waiting for a reviewer) is not idle.
    const std::int64_t now = monotonic_seconds();
    std::lock_guard lock(connections_mutex_);
    for (Connection& c : connections_) {
        const std::int64_t since = c.reading_since->load();
        if (since != 0 && now - since > kIdleSeconds) ::shutdown(c.fd.get(), SHUT_RDWR);
    }
}

void HttpServer::serve(int fd, std::atomic<std::int64_t>& reading_since) {
    asio::io_context ioc;
    Socket socket(ioc);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    beast::error_code ec;
    socket.assign(asio::generic::stream_protocol(ss.ss_family, 0), fd, ec);
    if (ec) {
        ::close(fd);
        return;
    }
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options_.max_body);
        parser.header_limit(16 * 1024);
        reading_since.store(monotonic_seconds());
        http::read(socket, buffer, parser, ec);
        reading_since.store(0);
        if (ec == http::error::body_limit) {
            http::response<http::string_body> res{http::status::payload_too_large, 11};
            res.set(http::field::content_type, "application/json");
            res.body() =
                rpc_error(nullptr, kInvalidRequest,
                          "Payload Too Large: a message is at most " + std::to_string(options_.max_body) + " bytes")
                    .dump();
            res.keep_alive(false);
            res.prepare_payload();
            http::write(socket, res, ec);
            break;
        }
        if (ec) {
            if (ec != http::error::end_of_stream && parser.is_header_done() == false && buffer.size() > 0) {
                static const std::string bad =
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                asio::write(socket, asio::buffer(bad), ec);
            }
            break;
        }
        Exchange exchange(socket, parser.get(), options_, server_, sessions_mutex_, sessions_);
        if (!exchange.run()) break;
    }
    socket.shutdown(Socket::shutdown_both, ec);
    socket.close(ec);  // closes fd
}

}  // namespace deskbox::mcp
