#!/usr/bin/env python3
"""bench/slow_consumer.py [BUILD_DIR] - peak RSS of `textpipe run` when the output is read
slowly or a stage is slow, against the stream's in-flight bound.

An idle run (empty input: the fixed cost) and three scenarios over the 50 MB corpus (bench/data/comments.ndjson, generated when missing),
each RUNS times (default 3; medians reported):
  fast      passthrough pipeline, output read as fast as possible (to EOF);
  consumer  passthrough pipeline, a reader that takes 1 ms per output line;
  stage     the slow fixture stage (1 ms per record, tests/fixtures/plugins/slow.c), output
            read as fast as possible.
The slow scenarios run for SECONDS (default 8) and are then interrupted with SIGINT (the
stream finishes its in-flight records, writes them and exits 130): if reading did not pause
at the bound, the whole 50 MB file would be in memory within the first second. Peak RSS is
the process's VmHWM (/proc/PID/status), polled every 5 ms until it exits (wait4's ru_maxrss
would count the Python process the child was forked from). The bound: at most 4N+4 batches of 128 records and 16 MiB of
input lines in flight (core/run/stream.c).
"""
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build"
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
RUNS = int(os.environ.get("RUNS", "3"))
SECONDS = float(os.environ.get("SECONDS_PER_RUN", "8"))
CORPUS = ROOT / "bench" / "data" / "comments.ndjson"
OUT = ROOT / "bench" / "out"


def prepare():
    if not (BUILD / "build.ninja").exists():
        subprocess.run(["meson", "setup", str(BUILD)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", str(BUILD)], check=True, stdout=subprocess.DEVNULL)
    if not CORPUS.exists() or CORPUS.stat().st_size == 0:
        CORPUS.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT.parent / "shared" / "eval" / "make_bench.py"),
                        "--out", str(CORPUS)], check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    slow = OUT / "slow-stage.json"
    slow.write_text('{"name": "slow-stage", "input": {"format": "ndjson", "text_field": "text"},'
                    ' "stages": [{"plugin": "slow", "config": {"delay_ms": 1}}]}\n')
    return slow


def run(pipeline, line_delay, stop_after, source_path=CORPUS):
    """Runs textpipe on the corpus; returns (peak RSS in MiB, lines read, exit status)."""
    env = dict(os.environ, TEXTPIPE_PLUGIN_PATH=str(BUILD / "tests" / "fixtures" / "plugins"))
    with open(source_path, "rb") as source:
        child = subprocess.Popen([str(BUILD / "core" / "textpipe"), "run", str(pipeline), "-q"],
                                 stdin=source, stdout=subprocess.PIPE, env=env)
    peak = [0]

    def poll():
        path = f"/proc/{child.pid}/status"
        while True:
            try:
                with open(path) as status_file:
                    for line in status_file:
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except (OSError, ValueError):
                return
            if child.poll_done:
                return
            time.sleep(0.005)

    child.poll_done = False
    poller = threading.Thread(target=poll)
    poller.start()
    start = time.monotonic()
    lines = 0
    interrupted = False
    for _ in child.stdout:
        lines += 1
        if line_delay:
            time.sleep(line_delay)
        if stop_after and not interrupted and time.monotonic() - start > stop_after:
            child.send_signal(signal.SIGINT)
            interrupted = True
    # Wait for the exit without reaping, then stop the poller: its last sample is the peak.
    while os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT) is None:
        pass
    child.poll_done = True
    poller.join()
    child.wait()
    return peak[0] / 1024.0, lines, child.returncode


def main():
    slow_pipeline = prepare()
    passthrough = ROOT / "bench" / "passthrough.json"
    scenarios = [
        ("idle", passthrough, 0, 0, "/dev/null"),
        ("fast", passthrough, 0, 0),
        ("consumer", passthrough, 0.001, SECONDS),
        ("stage", slow_pipeline, 0, SECONDS),
    ]
    size_mb = CORPUS.stat().st_size / 1e6
    print(f"peak RSS of textpipe on {CORPUS.name} ({size_mb:.1f} MB), median of {RUNS} runs;"
          f" slow runs interrupted after {SECONDS:g} s")
    print("in-flight bound: 4N+4 batches of 128 records or 256 KiB of lines each, at most 16 MiB"
          f" of input lines (N = {os.cpu_count()} workers here, 1 for the slow stage)")
    for name, pipeline, delay, stop, *source in scenarios:
        results = [run(pipeline, delay, stop, *source) for _ in range(RUNS)]
        # A run too short for one sample (the idle one, now and then) has no figure.
        rss = statistics.median([r[0] for r in results if r[0] > 0] or [0])
        lines = statistics.median(r[1] for r in results)
        statuses = sorted({r[2] for r in results})
        print(f"  {name:9s} peak RSS {rss:6.1f} MiB (runs: "
              f"{', '.join(f'{r[0]:.1f}' for r in results)}), {lines:.0f} lines out,"
              f" exit {statuses}")


if __name__ == "__main__":
    main()
