#!/usr/bin/env bash
# bench/shards.sh [BUILD_DIR] [CORPUS] - the 50 MB corpus split in three by lines, three runs
# of the default pipeline with --partial (and --line-offset), `textpipe merge`, against one
# run over the whole file: it prints whether the counts, the sentiment section (means within
# 0.0001: float sums added in another order) and the theme taxonomy counts are equal, and the
# wall and CPU seconds of the whole run, the three shard runs and the merge.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
corpus=${2:-bench/data/comments.ndjson}
[ -x "$build/core/textpipe" ] || { echo "bench/shards.sh: build first" >&2; exit 2; }
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"

python3 - "$build/core/textpipe" "$corpus" <<'PY'
import json, os, shutil, subprocess, sys, tempfile, time

textpipe, corpus = sys.argv[1], sys.argv[2]
folder = tempfile.mkdtemp(prefix="textpipe-shards-")
env = dict(os.environ, TEXTPIPE_PLUGIN_PATH="")

def run(arguments):
    start = time.perf_counter()
    child = subprocess.Popen([textpipe] + arguments + ["-q"], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit("bench/shards.sh: textpipe %s exited with %d" % (" ".join(arguments), status))
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime

def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1.01e-4
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b

try:
    lines = open(corpus, "rb").readlines()
    third = (len(lines) + 2) // 3
    shards, offsets = [], []
    for s in range(3):
        path = "%s/shard%d.ndjson" % (folder, s)
        with open(path, "wb") as out:
            out.writelines(lines[s * third:(s + 1) * third])
        shards.append(path)
        offsets.append(s * third)
    whole = run(["run", "pipelines/comments.json", "-i", corpus, "-o", "/dev/null", "--report",
                 folder + "/whole.json"])
    parts = [run(["run", "pipelines/comments.json", "-i", shards[s], "-o", "/dev/null",
                  "--partial", "%s/p%d.json" % (folder, s), "--line-offset", str(offsets[s])])
             for s in range(3)]
    merge = run(["merge"] + ["%s/p%d.json" % (folder, s) for s in range(3)] +
                ["--report", folder + "/merged.json"])
    a = json.load(open(folder + "/whole.json"))
    b = json.load(open(folder + "/merged.json"))
    taxonomy = lambda r: [(t["name"], t["count"]) for t in r["sections"]["theme"]["taxonomy"]]
    print("records: %d in 3 shards of %d" % (len(lines), third))
    print("counts equal:            %s" % (a["counts"] == b["counts"]))
    print("sentiment section equal: %s (exactly: %s)" % (
        close(a["sections"]["sentiment"], b["sections"]["sentiment"]),
        a["sections"]["sentiment"] == b["sections"]["sentiment"]))
    print("taxonomy counts equal:   %s" % (taxonomy(a) == taxonomy(b)))
    print("%-22s %8s %8s" % ("", "wall s", "cpu s"))
    print("%-22s %8.2f %8.2f" % ("whole file", whole[0], whole[1]))
    print("%-22s %8.2f %8.2f" % ("3 shards (one by one)", sum(p[0] for p in parts),
                                  sum(p[1] for p in parts)))
    print("%-22s %8.2f %8.2f" % ("merge", merge[0], merge[1]))
    sizes = [os.path.getsize("%s/p%d.json" % (folder, s)) for s in range(3)]
    print("partial files: %s bytes" % ", ".join(str(size) for size in sizes))
finally:
    shutil.rmtree(folder, ignore_errors=True)
PY
