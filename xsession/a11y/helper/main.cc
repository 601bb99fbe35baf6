// deskbox-a11y: the accessibility helper. It runs inside the session as the
// unprivileged app user, because it parses what untrusted applications say over
// AT-SPI. It reads one JSON request per line on stdin and writes one bounded
// JSON reply per line on stdout (helper_requests.h). The GLib main loop keeps
// running between requests so that libatspi's cache follows the applications'
// events.
#include <glib-unix.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "xsession/a11y/helper/atspi_ref.h"
#include "xsession/a11y/helper/helper_requests.h"

namespace {

constexpr std::size_t kMaxLine = 64 * 1024;

struct State {
    GMainLoop* loop = nullptr;
    std::string buffer;
    bool discarding = false;  // inside an overlong line: drop it up to its newline
};

bool write_all(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

gboolean on_stdin(gint fd, GIOCondition, gpointer data) {
    auto* st = static_cast<State*>(data);
    char chunk[8192];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return G_SOURCE_CONTINUE;
    if (n <= 0) {  // the supervisor closed the pipe: done
        g_main_loop_quit(st->loop);
        return G_SOURCE_REMOVE;
    }
    st->buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = st->buffer.find('\n')) != std::string::npos) {
        std::string line = st->buffer.substr(0, nl);
        st->buffer.erase(0, nl + 1);
        if (st->discarding) {
            st->discarding = false;
            continue;
        }
        if (!write_all(deskbox::a11y::handle_request(line) + "\n")) {
            g_main_loop_quit(st->loop);
            return G_SOURCE_REMOVE;
        }
    }
    if (st->buffer.size() > kMaxLine) {
        st->buffer.clear();
        st->discarding = true;
        if (!write_all("{\"seq\":null,\"ok\":false,\"error\":\"request longer than 64 KiB\"}\n")) {
            g_main_loop_quit(st->loop);
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_CONTINUE;
}

}  // namespace

int main() {
    if (atspi_init() < 0) {
        std::fputs("deskbox-a11y: cannot connect to the accessibility bus\n", stderr);
        return 1;
    }
    // A hung application must not hang a query: each AT-SPI call gives up after
    // 800 ms (the query's own time limit is checked between calls).
    atspi_set_timeout(800, 5000);
    deskbox::a11y::start_event_counting();
    State st;
    st.loop = g_main_loop_new(nullptr, FALSE);
    g_unix_fd_add(STDIN_FILENO, static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR), on_stdin, &st);
    g_main_loop_run(st.loop);
    g_main_loop_unref(st.loop);
    return 0;
}
