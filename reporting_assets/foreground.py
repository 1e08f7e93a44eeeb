"""Ctrl-C that stops a long-running command quietly, even under `make`.

In a terminal, Ctrl-C sends SIGINT to the whole foreground process group: our
process and its children, but also `make`, which then reports
`make: *** [Makefile:NN: dev] Interrupt` (or `Error 1`) and exits non-zero
whatever we do. A shell's job control avoids that by giving each job its own
process group and making it the terminal's foreground group; `own_terminal`
does the same for our process: Ctrl-C then reaches only us and our children,
we stop them and exit 0, and `make` sees a command that succeeded. Without a
terminal (CI, a pipe) it changes nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager


@contextmanager
def own_terminal():
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no controlling terminal
        yield
        return
    try:
        previous = os.tcgetpgrp(tty)
        os.setpgid(0, 0)
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not take the terminal
        os.tcsetpgrp(tty, os.getpgrp())
        signal.signal(signal.SIGTTOU, old)
    except OSError:  # already a group leader (run directly from a shell): the shell did it for us
        os.close(tty)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(tty, previous)  # give the terminal back to make / the shell
        except OSError:
            pass
        os.close(tty)


def stop_quietly(message: str) -> int:
    """What a command prints and returns when Ctrl-C stopped it as asked."""
    print(f"\n{message}", file=sys.stderr, flush=True)
    return 0
