// A real X client for the display tests: one window covering the screen at
// (0,0) that paints a known pattern and prints every input event it receives,
// one line each, so that tests can check where clicks land and which keys
// arrive with which modifiers. Prints "ready" once mapped and focused.
//
//   press BUTTON X Y STATE | release BUTTON X Y STATE | motion X Y STATE
//   key KEYSYM STATE | keyup KEYSYM STATE      (KEYSYM of the key's first level)
//
// With "--dialog-on-click" (benchmarks), a left click opens `zenity --info`
// titled "deskbox dialog N" and a right click closes it.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    Display* display = XOpenDisplay(nullptr);
    if (!display) {
        std::fprintf(stderr, "probe: cannot open display\n");
        return 2;
    }
    const char* title = argc > 1 ? argv[1] : "deskbox probe";
    const bool dialog_on_click = argc > 2 && std::strcmp(argv[2], "--dialog-on-click") == 0;
    pid_t dialog = -1;
    int dialogs = 0;
    signal(SIGCHLD, SIG_IGN);  // dialogs are reaped automatically
    const int screen = DefaultScreen(display);
    const int width = DisplayWidth(display, screen), height = DisplayHeight(display, screen);
    XSetWindowAttributes attributes{};
    attributes.override_redirect = True;
    attributes.background_pixel = WhitePixel(display, screen);
    attributes.event_mask = ExposureMask | ButtonPressMask | ButtonReleaseMask | KeyPressMask | KeyReleaseMask |
                            ButtonMotionMask | StructureNotifyMask;
    const Window window = XCreateWindow(display, RootWindow(display, screen), 0, 0, static_cast<unsigned>(width),
                                        static_cast<unsigned>(height), 0, CopyFromParent, InputOutput, CopyFromParent,
                                        CWOverrideRedirect | CWBackPixel | CWEventMask, &attributes);
    XStoreName(display, window, title);
    XClassHint hint{const_cast<char*>("deskbox-probe"), const_cast<char*>("DeskboxProbe")};
    XSetClassHint(display, window, &hint);
    XMapRaised(display, window);
    const GC gc = XCreateGC(display, window, 0, nullptr);
    auto paint = [&] {
        // Stripes of distinct colours: screenshots have content to compare.
        const unsigned long colours[] = {0xff0000, 0x00ff00, 0x0000ff, 0xffff00,
                                         0x00ffff, 0xff00ff, 0x808080, 0x123456};
        for (int i = 0; i < 8; ++i) {
            XSetForeground(display, gc, colours[i]);
            XFillRectangle(display, window, gc, i * width / 8, 0, static_cast<unsigned>(width / 8),
                           static_cast<unsigned>(height / 2));
        }
        XSetForeground(display, gc, 0x000000);
        for (int x = 0; x < width; x += 7) XDrawLine(display, window, gc, x, height / 2, width - x, height - 1);
        XFlush(display);
    };
    bool ready = false;
    for (;;) {
        XEvent event;
        XNextEvent(display, &event);
        switch (event.type) {
            case MapNotify:
                XSetInputFocus(display, window, RevertToParent, CurrentTime);
                break;
            case Expose:
                if (event.xexpose.count == 0) paint();
                if (!ready) {
                    XSync(display, False);
                    std::printf("ready\n");
                    ready = true;
                }
                break;
            case ButtonPress:
                if (dialog_on_click && event.xbutton.button == 3 && dialog > 0) {
                    kill(dialog, SIGTERM);
                    dialog = -1;
                }
                if (dialog_on_click && event.xbutton.button == 1) {
                    if (dialog > 0) kill(dialog, SIGTERM);
                    const std::string dialog_title = "--title=deskbox dialog " + std::to_string(++dialogs);
                    dialog = fork();
                    if (dialog == 0) {
                        close(ConnectionNumber(display));
                        execlp("zenity", "zenity", "--info", dialog_title.c_str(), "--text=a dialog opened by a click",
                               static_cast<char*>(nullptr));
                        _exit(127);
                    }
                }
                [[fallthrough]];
            case ButtonRelease:
                std::printf("%s %u %d %d %u\n", event.type == ButtonPress ? "press" : "release", event.xbutton.button,
                            event.xbutton.x_root, event.xbutton.y_root, event.xbutton.state);
                break;
            case MotionNotify:
                std::printf("motion %d %d %u\n", event.xmotion.x_root, event.xmotion.y_root, event.xmotion.state);
                break;
            case KeyPress:
            case KeyRelease: {
                const KeySym keysym = XLookupKeysym(&event.xkey, 0);
                const char* name = XKeysymToString(keysym);
                std::printf("%s %s %u\n", event.type == KeyPress ? "key" : "keyup", name ? name : "NoSymbol",
                            event.xkey.state);
                break;
            }
            default:
                break;
        }
        std::fflush(stdout);
    }
}
