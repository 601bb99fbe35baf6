// A misbehaving X client for the gate-context test: on SIGUSR1 it grabs the
// whole X server (XGrabServer), says so on stdout, and never lets go, as an
// app that hangs in the middle of a grab would. Until it ends, the server
// serves only it and the clients that are impervious to grabs.
#include <X11/Xlib.h>
#include <signal.h>

#include <cstdio>

int main() {
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGUSR1);
    sigprocmask(SIG_BLOCK, &wanted, nullptr);
    Display* display = XOpenDisplay(nullptr);
    if (!display) {
        std::fprintf(stderr, "x-grabber: cannot open the display\n");
        return 1;
    }
    std::printf("X-GRABBER-READY\n");
    std::fflush(stdout);
    int signo = 0;
    sigwait(&wanted, &signo);
    XGrabServer(display);
    XSync(display, False);
    std::printf("X-GRABBED\n");
    std::fflush(stdout);
    sigset_t none;
    sigemptyset(&none);
    for (;;) sigsuspend(&none);  // until SIGTERM at the session's end
}
