#!/usr/bin/env python3
"""Runs a command in a real pseudo-terminal and presses Ctrl-C in it, as a person at a terminal would.

The command is the session leader of a new pty and its foreground process group, so a ^C written to the pty's
master side makes the kernel's line discipline send SIGINT to that whole group: exactly what a terminal does. Any
process the command started in the same group receives it too; one in a group of its own does not.

usage: pty-ctrl-c.py [--stdout FILE] [--press WHEN]... [--deadline SECONDS] -- COMMAND [ARG...]

  --stdout FILE  the command's stdout goes to FILE instead of the terminal (stdin and stderr stay on it)
  --press WHEN   press Ctrl-C once WHEN holds, in order: `path:GLOB` (a file matching GLOB exists) or
                 `text:STRING` (the terminal has shown STRING since the previous press)
  --deadline S   kill the command's group (SIGKILL) after S seconds and exit 124 (default 120)

Prints the terminal's output on stdout, then a last line `presses: N`; exits with the command's exit code, or
128 + the signal that ended it.
"""
import glob
import os
import pty
import select
import signal
import sys
import time


def main(argv):
    stdout_file = None
    presses = []
    deadline_s = 120.0
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--stdout":
            stdout_file = argv[i + 1]
        elif argv[i] == "--press":
            kind, _, value = argv[i + 1].partition(":")
            if kind not in ("path", "text"):
                sys.exit(f"pty-ctrl-c.py: --press wants path:GLOB or text:STRING, got {argv[i + 1]!r}")
            presses.append((kind, value))
        elif argv[i] == "--deadline":
            deadline_s = float(argv[i + 1])
        else:
            sys.exit(f"pty-ctrl-c.py: unknown option {argv[i]!r}")
        i += 2
    command = argv[i + 1 :]
    if not command:
        sys.exit("pty-ctrl-c.py: no command after --")

    pid, master = pty.fork()
    if pid == 0:
        if stdout_file is not None:
            fd = os.open(stdout_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.close(fd)
        os.execvp(command[0], command)

    deadline = time.monotonic() + deadline_s
    seen = b""
    since_press = b""
    pressed = 0
    status = None
    while True:
        if pressed < len(presses):
            kind, value = presses[pressed]
            ready = glob.glob(value) if kind == "path" else value.encode() in since_press
            if ready:
                os.write(master, b"\x03")
                pressed += 1
                since_press = b""
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            sys.stdout.write(seen.decode("utf-8", "replace") + "\npty-ctrl-c.py: deadline passed\n")
            sys.exit(124)
        readable, _, _ = select.select([master], [], [], 0.02)
        if readable:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if chunk:
                seen += chunk
                since_press += chunk
                continue
        done, status_now = os.waitpid(pid, os.WNOHANG)
        if done != 0:
            status = status_now
            break
    # Whatever the command wrote last, after it exited.
    while True:
        try:
            readable, _, _ = select.select([master], [], [], 0.05)
            chunk = os.read(master, 65536) if readable else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
    sys.stdout.write(seen.decode("utf-8", "replace"))
    sys.stdout.write(f"\npresses: {pressed}\n")
    sys.stdout.flush()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main(sys.argv[1:])
