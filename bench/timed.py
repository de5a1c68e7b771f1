#!/usr/bin/env python3
"""bench/timed.py OUT COMMAND... - runs COMMAND (stdin and stdout inherited) and writes to OUT
one line "wall_seconds peak_rss_kb user_seconds system_seconds", the fields and order of
`/usr/bin/time -f "%e %M %U %S"`, but to the microsecond (os.wait4's rusage of the child),
where GNU time rounds CPU seconds to 0.01 s: too coarse once a run takes 0.06 s. Exits with
the command's status."""
import os
import sys
import time

out, command = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    f.write("%.6f %d %.6f %.6f\n" % (wall, usage.ru_maxrss, usage.ru_utime, usage.ru_stime))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)  # killed by signal N: 128 + N, as a shell says
