#!/usr/bin/env python3
"""Draws on a session's X display from the host, for bench/console_bench.mjs.

Run inside the session's network namespace (its X server listens on an
abstract socket there) with DISPLAY and XAUTHORITY set. Reads commands on
stdin, one a line, and answers one line each:

  fill X Y W H RRGGBB   fills the rectangle on the root window, waits for the
                        X server to have done it (XSync), answers the wall
                        clock in ms at that moment (the screen has changed)
  run X Y W H HZ SECS   fills the rectangle HZ times a second for SECS seconds,
                        each time with another colour; answers the count

libX11 through ctypes: no Python X binding is needed on the host.
"""
import ctypes, sys, time

x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultScreen.argtypes = [ctypes.c_void_p]
x.XRootWindow.restype = ctypes.c_ulong
x.XRootWindow.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XDefaultGC.restype = ctypes.c_void_p
x.XDefaultGC.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XSetForeground.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong]
x.XFillRectangle.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p,
                             ctypes.c_int, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]

display = x.XOpenDisplay(None)
if not display:
    sys.exit("console_draw.py: cannot open the display (DISPLAY/XAUTHORITY, network namespace?)")
screen = x.XDefaultScreen(display)
root = x.XRootWindow(display, screen)
gc = x.XDefaultGC(display, screen)


def fill(rx, ry, w, h, rgb):
    x.XSetForeground(display, gc, rgb)  # a 24-bit TrueColor visual: the pixel is 0xRRGGBB
    x.XFillRectangle(display, root, gc, rx, ry, w, h)
    x.XSync(display, 0)


print("ready", flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "fill" and len(words) == 6:
        rx, ry, w, h = map(int, words[1:5])
        fill(rx, ry, w, h, int(words[5], 16))
        print(f"{time.time() * 1000:.3f}", flush=True)
    elif words[0] == "run" and len(words) == 7:
        rx, ry, w, h, hz = map(int, words[1:6])
        period, end, n = 1.0 / hz, time.monotonic() + float(words[6]), 0
        next_at = time.monotonic()
        while next_at < end:
            fill(rx, ry, w, h, ((n * 37) % 256) << 16 | ((n * 91) % 256) << 8 | 0x40)
            n += 1
            next_at += period
            # Pacing a steady change rate (like a video), not waiting for readiness.
            time.sleep(max(0.0, next_at - time.monotonic()))
        print(n, flush=True)
    else:
        print(f"error: unknown command {line.strip()!r}", flush=True)
