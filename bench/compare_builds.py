#!/usr/bin/env python3
"""bench/compare_builds.py BEFORE_BUILD AFTER_BUILD [RUNS] - the same pipelines, two builds.

Times two builds of textpipe (e.g. one of main, built with `git archive main | tar -x -C DIR`
and `meson setup DIR/build`, and this tree's build/) on the 50 MB bench corpus, one worker,
alternating run by run so that both see the same load on a shared machine. Pipelines: no
stage, [tokenize], [tokenize, sentiment], [tokenize, theme]. Prints the median wall and CPU
(user + sys) seconds of RUNS runs (default 7) and each pipeline's ratio to the no-stage
pipeline of the same build. Each build loads its own plugins (its build folder's plugins/).
Every run writes its report (--report, to a temporary file): without it the stages skip their
report-only work (the theme stage's end-of-stream clustering; plugin.h host->report_wanted),
so the runs measure the same work as the targets and as earlier builds did.
"""
import os
import statistics
import subprocess
import sys
import tempfile

PIPELINES = {
    "no stage": [],
    "tokenize": [{"plugin": "tokenize", "config": {"emit": "none"}}],
    "tokenize+sentiment": [{"plugin": "tokenize"}, {"plugin": "sentiment"}],
    "tokenize+theme": [{"plugin": "tokenize"}, {"plugin": "theme"}],
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    builds = {"before": sys.argv[1], "after": sys.argv[2]}
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    corpus = os.path.join(root, "bench", "data", "comments.ndjson")
    if not os.path.exists(corpus) or os.path.getsize(corpus) == 0:
        os.makedirs(os.path.dirname(corpus), exist_ok=True)
        subprocess.run(["python3", os.path.join(root, "..", "shared", "eval", "make_bench.py"),
                        "--out", corpus], check=True)
    times = {}
    with tempfile.TemporaryDirectory() as work:
        report = os.path.join(work, "report.json")
        files = {}
        for name, stages in PIPELINES.items():
            path = os.path.join(work, "%d.json" % len(files))
            with open(path, "w") as out:
                out.write('{"name": "bench", "stages": %s}' % str(stages).replace("'", '"'))
            files[name] = path
        for _ in range(runs):
            for name, path in files.items():
                for build, folder in builds.items():
                    binary = os.path.join(folder, "core", "textpipe")
                    start = os.times()
                    child = subprocess.Popen([binary, "run", path, "--workers", "1", "-q",
                                              "-i", corpus, "-o", os.devnull,
                                              "--report", report])
                    _, status, usage = os.wait4(child.pid, 0)
                    wall = os.times().elapsed - start.elapsed
                    if status != 0:
                        sys.exit("%s: %s exited with status %d" % (binary, name, status))
                    times.setdefault((name, build), []).append(
                        (wall, usage.ru_utime + usage.ru_stime))
    print("%s, one worker, medians of %d alternating runs" % (corpus, runs))
    print("%-20s %-7s %8s %8s %10s" % ("pipeline", "build", "wall s", "cpu s", "vs none"))
    for name in PIPELINES:
        for build in builds:
            wall = statistics.median(w for w, _ in times[(name, build)])
            cpu = statistics.median(c for _, c in times[(name, build)])
            none = statistics.median(w for w, _ in times[("no stage", build)])
            print("%-20s %-7s %8.3f %8.3f %9.2fx" % (name, build, wall, cpu, wall / none))


if __name__ == "__main__":
    main()
