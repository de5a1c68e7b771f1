#!/usr/bin/env bash
# bench/redis.sh [BUILD_DIR] [RUNS] [CORPUS] - textpipe on Redis Streams against textpipe on a
# file, and against redis-benchmark, on one machine. It starts its own redis-server on a free
# 127.0.0.1 port in a temporary folder (no persistence: the figures are Redis' memory path),
# and stops it at the end. Median of RUNS (default 3) runs, wall and CPU seconds side by side:
#
#   publish      the corpus into a stream (textpipe run, no stages, redis sink): entries/s
#   xadd-ref     redis-benchmark XADD of entries of the corpus' mean size, 1 client,
#                pipeline 128 (textpipe sends one pipeline per batch of 128): entries/s
#   read-back    the stream read by one consumer, no stages, to /dev/null: entries/s
#   file         the default pipeline (pipelines/comments.json) on the corpus file
#   redis-1      the same pipeline, one consumer process reading the stream; target <= 1.15x file
#   w1-1 / w1-2  one consumer vs two consumer processes, one worker each; target >= 1.8x
#
# A consumer ends 500 ms after the stream has nothing new (idle=500); that wait is taken out
# of its wall time. redis-server's own CPU seconds are shown beside each Redis figure: with 2
# cores, Redis and the consumers share them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
corpus=${3:-bench/data/comments.ndjson}
[ -x "$build/core/textpipe" ] || { echo "bench/redis.sh: build first" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "bench/redis.sh: run scripts/setup" >&2; exit 2; }
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"

python3 - "$build/core/textpipe" "$corpus" "$runs" <<'PY'
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

textpipe, corpus, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
folder = tempfile.mkdtemp(prefix="textpipe-redis-bench-")
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir",
                           folder, "--save", "", "--appendonly", "no", "--logfile",
                           folder + "/redis.log"])
records = sum(1 for _ in open(corpus, "rb"))
mean_bytes = os.path.getsize(corpus) // records
base = "redis://127.0.0.1:%d" % port
env = dict(os.environ, TEXTPIPE_PLUGIN_PATH="")
IDLE = 0.5

def cli(*args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), capture_output=True,
                          text=True, check=True).stdout.strip()

def server_cpu():
    with open("/proc/%d/stat" % server.pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def run(arguments, idle=False):
    """Runs textpipe; returns (wall seconds without the idle wait, CPU seconds)."""
    start = time.perf_counter()
    child = subprocess.Popen([textpipe] + arguments + ["-q"], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start - (IDLE if idle else 0)
    if status != 0:
        sys.exit("bench/redis.sh: textpipe %s exited with %d" % (" ".join(arguments), status))
    return wall, usage.ru_utime + usage.ru_stime

def parallel(argument_lists):
    start = time.perf_counter()
    children = [subprocess.Popen([textpipe] + a + ["-q"], stdout=subprocess.DEVNULL, env=env)
                for a in argument_lists]
    cpu = 0.0
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            sys.exit("bench/redis.sh: a consumer exited with %d" % status)
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start - IDLE, cpu

def source(stream, group, consumer):
    return "%s/%s?group=%s&consumer=%s&idle=%d" % (base, stream, group, consumer, IDLE * 1000)

try:
    for _ in range(100):
        try:
            cli("PING")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.05)
    results = {}
    def note(name, wall, cpu, redis_cpu=None, entries=None):
        results.setdefault(name, []).append((wall, cpu, redis_cpu, entries))
    for r in range(runs):
        cli("FLUSHALL")
        before = server_cpu()
        wall, cpu = run(["run", "bench/passthrough.json", "-i", corpus, "-o", base + "/in"])
        note("publish", wall, cpu, server_cpu() - before, records)
        value = "x" * mean_bytes
        out = subprocess.run(["redis-benchmark", "-p", str(port), "-c", "1", "-P", "128", "-n",
                              str(records), "-q", "XADD", "ref", "*", "record", value],
                             capture_output=True, text=True).stdout
        per_second = float(out.replace("\r", "\n").strip().split("\n")[-1].split(":")[1].split()[0])
        note("xadd-ref", records / per_second, 0.0, None, records)
        cli("DEL", "ref")
        before = server_cpu()
        wall, cpu = run(["run", "bench/passthrough.json", "-i", source("in", "g%d" % r, "a"),
                         "-o", "/dev/null"], idle=True)
        note("read-back", wall, cpu, server_cpu() - before, records)
        wall, cpu = run(["run", "pipelines/comments.json", "-i", corpus, "-o", "/dev/null"])
        note("file", wall, cpu)
        before = server_cpu()
        wall, cpu = run(["run", "pipelines/comments.json", "-i", source("in", "p%d" % r, "a"),
                         "-o", "/dev/null"], idle=True)
        note("redis-1", wall, cpu, server_cpu() - before)
        before = server_cpu()
        wall, cpu = run(["run", "pipelines/comments.json", "-i", source("in", "w%d" % r, "a"),
                         "-o", "/dev/null", "--workers", "1"], idle=True)
        note("w1-1", wall, cpu, server_cpu() - before)
        before = server_cpu()
        wall, cpu = parallel([["run", "pipelines/comments.json", "-i",
                               source("in", "v%d" % r, name), "-o", "/dev/null", "--workers",
                               "1"] for name in ("a", "b")])
        note("w1-2", wall, cpu, server_cpu() - before)
    print("corpus: %s, %d records, mean %d bytes; %d runs, medians" % (corpus, records,
                                                                        mean_bytes, runs))
    print("%-10s %9s %9s %11s %12s" % ("what", "wall s", "cpu s", "redis cpu s", "entries/s"))
    median = {}
    for name, rows in results.items():
        wall = statistics.median(row[0] for row in rows)
        cpu = statistics.median(row[1] for row in rows)
        redis = [row[2] for row in rows if row[2] is not None]
        median[name] = wall
        rate = "%.0f" % (rows[0][3] / wall) if rows[0][3] else "-"
        print("%-10s %9.2f %9.2f %11s %12s" % (name, wall, cpu,
                                                 "%.2f" % statistics.median(redis) if redis else "-",
                                                 rate))
    print("publish / xadd-ref entries/s: %.2f" % (median["xadd-ref"] / median["publish"]))
    print("read-back / xadd-ref entries/s: %.2f" % (median["xadd-ref"] / median["read-back"]))
    print("redis-1 / file wall: %.2fx (target <= 1.15)" % (median["redis-1"] / median["file"]))
    print("two consumers / one (1 worker each): %.2fx faster (target >= 1.8)"
          % (median["w1-1"] / median["w1-2"]))
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(folder, ignore_errors=True)
PY
