#include "tests/integration/login_site.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <vector>

namespace deskbox::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string page(const std::string& title, const std::string& body) {
    return "<!doctype html><html><head><meta charset=utf-8><title>" + title +
           "</title><style>body{font:20px sans-serif;margin:40px} input,button{font-size:20px;margin:8px}</style>"
           "</head><body><h1>" +
           title + "</h1>" + body + "</body></html>";
}

std::string field(const std::string& label, const std::string& name, const std::string& type) {
    return "<p><label>" + label + " <input name=" + name + " type=" + type + "></label></p>";
}

// "user=alice&password=x%21" -> the value of `key`, %XX and + decoded.
std::string form_value(const std::string& body, const std::string& key) {
    std::size_t at = 0;
    while (at <= body.size()) {
        const auto end = std::min(body.find('&', at), body.size());
        const std::string pair = body.substr(at, end - at);
        if (pair.rfind(key + "=", 0) == 0) {
            std::string out;
            const std::string raw = pair.substr(key.size() + 1);
            for (std::size_t i = 0; i < raw.size(); ++i) {
                if (raw[i] == '+')
                    out += ' ';
                else if (raw[i] == '%' && i + 2 < raw.size()) {
                    out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
                    i += 2;
                } else
                    out += raw[i];
            }
            return out;
        }
        at = end + 1;
    }
    return {};
}

}  // namespace

struct LoginSite::Impl {
    std::string user, password;
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::atomic<bool> stop{false};
    mutable std::mutex mutex;
    int good = 0, bad = 0;
    std::thread thread;
    std::vector<std::thread> connections;  // one each: a browser's idle preconnect must not hold up the others

    std::string answer(const http::request<http::string_body>& req) {
        std::string host(req[http::field::host]);
        host = host.substr(0, host.find(':'));
        std::string target(req.target());
        if (target.rfind("http://", 0) == 0) target = target.substr(target.find('/', 7));
        if (host == "other.example")
            return page("Other sign in", "<form method=post action=/login>" +
                                             field("Password", "password", "password") + field("Search", "q", "text") +
                                             "<button type=submit>Sign in</button></form>");
        if (req.method() == http::verb::post) {
            const bool ok = form_value(req.body(), "user") == user && form_value(req.body(), "password") == password;
            std::lock_guard lock(mutex);
            (ok ? good : bad) += 1;
            if (!ok) return page("Sign-in failed", "<p>Wrong user or password.</p>");
            return page("Runs", "<p>Run 1234 passed</p>" + field("Note", "note", "text") +
                                    field("Deploy password", "deploy", "password") +
                                    field("Admin password", "admin", "password") +
                                    "<p><a href=\"http://other.example:" +
                                    std::to_string(acceptor.local_endpoint().port()) + "/login\">Other site</a></p>");
        }
        return page("Sign in", "<form method=post action=/login>" + field("User", "user", "text") +
                                   field("Password", "password", "password") + field("Search", "q", "text") +
                                   "<button type=submit>Sign in</button></form>");
    }

    void serve() {
        while (!stop) {
            boost::system::error_code ec;
            tcp::socket socket(io);
            acceptor.accept(socket, ec);
            if (ec || stop) continue;
            // An idle connection gives up after a while, so that the destructor's joins end.
            const timeval limit{10, 0};
            setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            connections.emplace_back([this, s = std::move(socket)]() mutable { respond(s); });
        }
        for (auto& t : connections) t.join();
    }

    void respond(tcp::socket& socket) {
        boost::system::error_code ec;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "text/html; charset=utf-8");
        res.body() = answer(req);
        res.keep_alive(false);
        res.prepare_payload();
        http::write(socket, res, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }
};

LoginSite::LoginSite(std::string user, std::string password) : impl_(new Impl) {
    impl_->user = std::move(user);
    impl_->password = std::move(password);
    port_ = impl_->acceptor.local_endpoint().port();
    impl_->thread = std::thread([this] { impl_->serve(); });
}

LoginSite::~LoginSite() {
    impl_->stop = true;
    // Wake the blocking accept with one connection of our own.
    boost::system::error_code ec;
    asio::io_context io;
    tcp::socket wake(io);
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)), ec);
    impl_->thread.join();
    delete impl_;
}

int LoginSite::good_logins() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->good;
}

int LoginSite::bad_logins() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->bad;
}

}  // namespace deskbox::test
