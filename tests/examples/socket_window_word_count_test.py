#!/usr/bin/env python3
"""Tests examples/socket_window_word_count.cc the way the seed notes run it with `nc -l 9000`.

Usage: socket_window_word_count_test.py PROGRAM

1. Without a valid --port the program prints Flink's usage message and exits with status 1.
2. The test plays the text server: it listens on a free port, starts the program with --port,
   accepts its connection and sends two lines. Within one 5-second processing-time window the
   program must print exactly the lines "hello : 2", "world : 1" and "eddy : 1" (in any order).
   Then the test closes the connection, which ends the job: the program must exit with status 0
   without printing anything more.

The test waits on the program's output and exit with deadlines, never for a fixed time, except
that it does not send the lines in the last second before a 5-second boundary of the clock: the
windows are aligned to the epoch, and both lines must land in the same window.
"""

import collections
import queue
import socket
import subprocess
import sys
import threading
import time

OUTPUT_DEADLINE_S = 20  # a window closes at most 5 s after the lines are read
CONNECT_DEADLINE_S = 20
EXIT_DEADLINE_S = 20
WINDOW_S = 5

LINES_SENT = b"hello world\nhello eddy\n"
EXPECTED = collections.Counter(["hello : 2", "world : 1", "eddy : 1"])


class Failure(Exception):
    pass


def check_usage_errors(program):
    for args in ([], ["--hostname", "localhost"], ["--port", "abc"], ["--port", "0"],
                 ["--port", "65536"], ["--port", "9000x"], ["--port"]):
        run = subprocess.run([program, *args], capture_output=True, timeout=EXIT_DEADLINE_S)
        stderr = run.stderr.decode("utf-8", "replace")
        if run.returncode != 1:
            raise Failure(f"with arguments {args}: exit status {run.returncode}, expected 1; "
                          f"stderr: {stderr!r}")
        if "No port specified. Please run 'SocketWindowWordCount --hostname <hostname> " \
           "--port <port>'" not in stderr:
            raise Failure(f"with arguments {args}: no usage message on stderr: {stderr!r}")
        if run.stdout:
            raise Failure(f"with arguments {args}: unexpected output {run.stdout!r}")


def pump(stream, lines):
    """Puts each line of `stream` on the queue `lines`, then None at the end."""
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
    lines.put(None)


def check_word_count(program):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        proc = subprocess.Popen([program, "--hostname", "127.0.0.1", "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout_lines, stderr_lines = queue.Queue(), queue.Queue()
        threading.Thread(target=pump, args=(proc.stdout, stdout_lines), daemon=True).start()
        threading.Thread(target=pump, args=(proc.stderr, stderr_lines), daemon=True).start()
        try:
            run_session(proc, server, stdout_lines)
        except Failure as failure:
            proc.kill()
            proc.wait()
            raise Failure(f"{failure}\nstderr:\n{drain(stderr_lines)}") from None


def run_session(proc, server, stdout_lines):
    server.settimeout(CONNECT_DEADLINE_S)
    try:
        connection, _ = server.accept()
    except socket.timeout:
        raise Failure(f"the program did not connect within {CONNECT_DEADLINE_S} s") from None
    with connection:
        # Keep clear of a window boundary, so that both lines are counted in one window.
        into_window = time.time() % WINDOW_S
        if into_window > WINDOW_S - 1:
            time.sleep(WINDOW_S - into_window + 0.05)
        connection.sendall(LINES_SENT)

        got = []
        deadline = time.monotonic() + OUTPUT_DEADLINE_S
        while len(got) < sum(EXPECTED.values()):
            remaining = deadline - time.monotonic()
            try:
                line = stdout_lines.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise Failure(f"after {OUTPUT_DEADLINE_S} s the program printed only {got}, "
                              f"expected {sorted(EXPECTED.elements())}") from None
            if line is None:
                raise Failure(f"the program closed its output after {got}; exit status "
                              f"{proc.wait()}")
            got.append(line)
        if collections.Counter(got) != EXPECTED:
            raise Failure(f"the program printed {got}, expected {sorted(EXPECTED.elements())} "
                          f"in any order")
    # The connection is closed: the source ends, and with it the job.
    try:
        status = proc.wait(timeout=EXIT_DEADLINE_S)
    except subprocess.TimeoutExpired:
        raise Failure(f"the program did not exit within {EXIT_DEADLINE_S} s after the server "
                      f"closed the connection") from None
    extra = [line for line in iter(stdout_lines.get, None)]
    if extra:
        raise Failure(f"unexpected output after the counts: {extra}")
    if status != 0:
        raise Failure(f"exit status {status} after the server closed the connection, expected 0")


def drain(lines):
    out = []
    while True:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            break
        if line is None:
            break
        out.append(line)
    return "\n".join(out)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    program = argv[1]
    try:
        check_usage_errors(program)
        check_word_count(program)
    except Failure as failure:
        print(f"FAIL: {failure}")
        return 1
    print(f"OK: {program}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
