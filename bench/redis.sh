#!/usr/bin/env bash
# bench/redis.sh [BUILD_DIR] [RUNS] [CORPUS] [REFERENCE_BUILD_DIR] - textpipe on Redis Streams against textpipe on a
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
#                (and the size of its checkpoint state in Redis, HSTRLEN)
#   w1-1 / w1-2  one consumer vs two consumer processes, one worker each; target >= 1.8x
#   f1-1 / f1-2  the machine's ceiling for w1-2 / w1-1 without Redis: the same pipeline on the
#                corpus file, one worker, against two one-worker runs started together on its
#                two halves (bench/corpus.sh write_halves), sharing nothing
#   w1-1 / f1-1  redis-1 against file with one worker each: on 2 cores, the Redis path's cost
#                with a core left for redis-server (redis-1 / file shares both cores with it)
#   sink-1       redis-1 writing its output to a stream (at-least-once sink)
#   sink-eo      the same with exactly_once=1 (outputs written in the checkpoint transaction)
#   latency      one entry at a time (20, 100 ms apart) through a running consumer: ms from
#                XADD to its output entry, median and max, at-least-once vs exactly_once
#   file-ref / redis-1-ref   with REFERENCE_BUILD_DIR: file and redis-1 by that build, in the
#                same runs, right after this build's (a before/after in one run)
#
# A consumer ends 500 ms after the stream has nothing new (idle=500); that wait is taken out
# of its wall time. redis-server's own CPU seconds are shown beside each Redis figure: with 2
# cores, Redis and the consumers share them.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
corpus=${3:-bench/data/comments.ndjson}
reference=${4:-}
[ -x "$build/core/textpipe" ] || { echo "bench/redis.sh: build first" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "bench/redis.sh: run scripts/setup" >&2; exit 2; }
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
halves=$(mktemp -d /tmp/textpipe-redis-halves.XXXXXX)
trap 'rm -rf "$halves"' EXIT
write_halves "$corpus" "$halves"

python3 - "$build/core/textpipe" "$corpus" "$runs" "$halves" ${reference:+"$reference/core/textpipe"} <<'PY'
import os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

textpipe, corpus, runs, halves = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
reference = sys.argv[5] if len(sys.argv) > 5 else None
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

def run(arguments, idle=False, binary=None):
    """Runs textpipe; returns (wall seconds without the idle wait, CPU seconds)."""
    start = time.perf_counter()
    child = subprocess.Popen([binary or textpipe] + arguments + ["-q"],
                             stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start - (IDLE if idle else 0)
    if status != 0:
        sys.exit("bench/redis.sh: textpipe %s exited with %d" % (" ".join(arguments), status))
    return wall, usage.ru_utime + usage.ru_stime

def parallel(argument_lists, idle=True):
    start = time.perf_counter()
    children = [subprocess.Popen([textpipe] + a + ["-q"], stdout=subprocess.DEVNULL, env=env)
                for a in argument_lists]
    cpu = 0.0
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            sys.exit("bench/redis.sh: a consumer exited with %d" % status)
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start - (IDLE if idle else 0), cpu

def source(stream, group, consumer):
    return "%s/%s?group=%s&consumer=%s&idle=%d" % (base, stream, group, consumer, IDLE * 1000)

def probe_latency(name, query):
    """ms from XADD to the output entry, for 20 entries sent one at a time."""
    stream, out = "lat-" + name, "lat-out-" + name
    cli("XGROUP", "CREATE", stream, "g", "$", "MKSTREAM")
    child = subprocess.Popen([textpipe, "run", "pipelines/comments.json", "-i",
                              "%s/%s?group=g&consumer=a" % (base, stream), "-o",
                              base + "/" + out + query, "-q"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
    samples, last = [], "0-0"
    try:
        time.sleep(0.5)
        with open(corpus, "rb") as lines:
            for _ in range(20):
                record = lines.readline().decode().strip()
                start = time.perf_counter()
                cli("XADD", stream, "*", "record", record)
                reply = cli("XREAD", "BLOCK", "30000", "STREAMS", out, last)
                samples.append((time.perf_counter() - start) * 1000)
                last = reply.split("\n")[1]
                time.sleep(0.1)
    finally:
        child.terminate()
        child.wait()
    return statistics.median(samples), max(samples)

try:
    for _ in range(100):
        try:
            cli("PING")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.05)
    results = {}
    checkpoint_bytes = []  # redis-1's checkpoint state, all of it (the last one replaces others)
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
        found = re.findall(r"([0-9.]+) requests per second", out)
        if not found:
            sys.exit("bench/redis.sh: no redis-benchmark figure in: %r" % out[-300:])
        per_second = float(found[-1])
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
        if reference:
            wall, cpu = run(["run", "pipelines/comments.json", "-i", corpus, "-o", "/dev/null"],
                            binary=reference)
            note("file-ref", wall, cpu)
            before = server_cpu()
            wall, cpu = run(["run", "pipelines/comments.json", "-i",
                             source("in", "q%d" % r, "a"), "-o", "/dev/null"], idle=True,
                            binary=reference)
            note("redis-1-ref", wall, cpu, server_cpu() - before)
        fields = cli("HKEYS", "in:textpipe:p%d:checkpoints" % r).split()
        checkpoint_bytes.append(sum(int(cli("HSTRLEN", "in:textpipe:p%d:checkpoints" % r, name))
                                    for name in fields))
        before = server_cpu()
        wall, cpu = run(["run", "pipelines/comments.json", "-i", source("in", "w%d" % r, "a"),
                         "-o", "/dev/null", "--workers", "1"], idle=True)
        note("w1-1", wall, cpu, server_cpu() - before)
        before = server_cpu()
        wall, cpu = parallel([["run", "pipelines/comments.json", "-i",
                               source("in", "v%d" % r, name), "-o", "/dev/null", "--workers",
                               "1"] for name in ("a", "b")])
        note("w1-2", wall, cpu, server_cpu() - before)
        wall, cpu = run(["run", "pipelines/comments.json", "-i", corpus, "-o", "/dev/null",
                         "--workers", "1"])
        note("f1-1", wall, cpu)
        wall, cpu = parallel([["run", "pipelines/comments.json", "-i",
                               os.path.join(halves, "half%d.ndjson" % half), "-o", "/dev/null",
                               "--workers", "1"] for half in (1, 2)], idle=False)
        note("f1-2", wall, cpu)
        for name, query in (("sink-1", ""), ("sink-eo", "?exactly_once=1")):
            before = server_cpu()
            wall, cpu = run(["run", "pipelines/comments.json", "-i",
                             source("in", "%s%d" % (name, r), "a"), "-o",
                             base + "/" + name + query], idle=True)
            note(name, wall, cpu, server_cpu() - before, records)
            cli("DEL", name, name + ":dead")
    latency = {name: probe_latency(name, query)
               for name, query in (("at-least-once", ""), ("exactly_once", "?exactly_once=1"))}
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
    print("redis-1 / file CPU: %.2fx" % (statistics.median(row[1] for row in results["redis-1"])
                                          / statistics.median(row[1] for row in results["file"])))
    def per_run(top, bottom):
        """top / bottom wall in each run (they ran back to back), and their median."""
        ratios = [a[0] / b[0] for a, b in zip(results[top], results[bottom])]
        return "%.2fx (per run: %s)" % (statistics.median(ratios),
                                         ", ".join("%.2f" % ratio for ratio in ratios))
    print("redis-1 / file wall, median of per-run ratios: " + per_run("redis-1", "file"))
    if reference:
        print("reference build, median of per-run ratios: redis-1-ref / file-ref wall "
              + per_run("redis-1-ref", "file-ref"))
        print("reference build: redis-1-ref / file-ref wall: %.2fx, CPU: %.2fx"
              % (median["redis-1-ref"] / median["file-ref"],
                 statistics.median(row[1] for row in results["redis-1-ref"])
                 / statistics.median(row[1] for row in results["file-ref"])))
    print("one consumer with a core left for redis-server (1 worker each): w1-1 / f1-1 wall "
          "%.2fx, CPU %.2fx; median of per-run ratios %s"
          % (median["w1-1"] / median["f1-1"],
             statistics.median(row[1] for row in results["w1-1"])
             / statistics.median(row[1] for row in results["f1-1"]), per_run("w1-1", "f1-1")))
    print("redis-1 checkpoint state: %.1f MB" % (statistics.median(checkpoint_bytes) / 1e6))
    print("two consumers / one (1 worker each): %.2fx faster (target >= 1.8); median of "
          "per-run ratios %s" % (median["w1-1"] / median["w1-2"], per_run("w1-1", "w1-2")))
    print("the machine's ceiling without Redis, two file runs on the halves / one on the whole "
          "(1 worker each): %.2fx; median of per-run ratios %s"
          % (median["f1-1"] / median["f1-2"], per_run("f1-1", "f1-2")))
    print("sink-eo / sink-1 wall: %.2fx (exactly_once's throughput cost)"
          % (median["sink-eo"] / median["sink-1"]))
    for name, (middle, worst) in latency.items():
        print("latency %-14s median %6.1f ms, max %6.1f ms (XADD to output, one at a time)"
              % (name, middle, worst))
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(folder, ignore_errors=True)
PY
