#!/usr/bin/env bash
# bench/output_floor.sh [BUILD_DIR] - how much of issue 13's peer budgets the least possible work
# already takes, on the first 5 MB of the corpus, every figure CPU seconds from one run.
#
# Issue 13 asks, on the first 5 MB: tokenize + sentiment (per-sentence scores) at least 10x as
# fast as AFINN-for-Node, the default pipeline at least 3x AFINN and 100x VADER-js. Each target
# is a CPU budget: the peer's CPU seconds over the factor. Against it this script sets a floor
# that no implementation of those pipelines, ours or another, can go under:
#   no-stage      textpipe with no stages on the input (read, frame, parse, print, write);
#   printing      what printing the pipeline's output costs beyond printing its input
#                 (bench/print_floor: textpipe's own printer on trees parsed beforehand);
#   word probes   splitting the texts into words and probing a hash table of the corpus
#                 vocabulary once per word and stage that looks words up (bench/floor: 2 for
#                 tokenize + sentiment; sentiment, theme and summary each probe in the default
#                 pipeline, so 2 probes is an under-estimate there).
# A floor near or above a budget means the target cannot be met by any amount of tuning of the
# analysis itself: only by printing less or skipping the stages' work.
#
# Issue 13's ratios to the no-stage run (tokenize + sentiment at most 5x, the default pipeline
# at most 10x) get the same floor against FACTOR x no-stage.
#
# Issue 12 asks theme's own CPU in apply mode (tokenize + theme given a model, minus tokenize)
# to be at most 0.5x the no-stage pipeline's. Its floor here: printing what theme adds to a
# record (apply's output against tokenize's alone) plus one probe a word (a model vocabulary
# lookup: bench/floor's split+probe minus its split, the words being tokenize's work), against
# the budget 0.5 x no-stage. The model is fitted on the same 5 MB (model_out).
# Peers as in bench/pipeline_speed.sh (PEERS_DIR, skipped when absent). RUNS (default 5) rounds,
# medians.
# Every textpipe run writes its report (--report, bench/out/output_floor/report.json): without
# it the stages skip their report-only work (plugin.h host->report_wanted), and the figures
# would no longer measure what the targets measure.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export RUNS=${RUNS:-5} PEERS_DIR=${PEERS_DIR:-}
corpus=bench/data/comments.ndjson
out=bench/out/output_floor
mkdir -p "$out"
[ -x "$build/core/textpipe" ] && [ -x "$build/bench/print_floor" ] && [ -x "$build/bench/floor" ] ||
  { echo "bench/output_floor.sh: build $build first (meson compile -C $build)" >&2; exit 2; }
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
write_peer_inputs "$corpus" "$out"

python3 - "$build" "$out" <<'PY'
import json, os, resource, statistics, subprocess, sys
build, out = sys.argv[1], sys.argv[2]
runs, peers = int(os.environ["RUNS"]), os.environ["PEERS_DIR"]
textpipe = os.path.join(build, "core", "textpipe")
first5mb = os.path.join(out, "first5mb.ndjson")
pipelines = {"tokenize + sentiment": os.path.join(out, "tokenize_sentences.json"),
             "default": "pipelines/comments.json"}

# issue 12's apply mode: a model fitted on the same input, then applied (default keyphrases)
model = os.path.abspath(os.path.join(out, "model.json"))
def write_pipeline(name, stages):
    path = os.path.join(out, name + ".json")
    with open(path, "w") as handle:
        json.dump({"name": name, "stages": stages}, handle)
    return path
fit = write_pipeline("fit", [{"plugin": "tokenize"},
                             {"plugin": "theme", "config": {"model_out": model}}])
with open(first5mb, "rb") as stdin:
    subprocess.run([textpipe, "run", fit, "--quiet", "--workers", "1"], stdin=stdin,
                   stdout=subprocess.DEVNULL, check=True)
theme_pipelines = {"tokenize": write_pipeline("tokenize", [{"plugin": "tokenize"}]),
                   "tokenize + theme (apply)": write_pipeline(
                       "apply", [{"plugin": "tokenize"},
                                 {"plugin": "theme", "config": {"model": model}}])}

def cpu_of(command, stdin_path, stdout):
    """Runs `command` (stdin from stdin_path): its CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, "rb") as stdin:
        subprocess.run(command, stdin=stdin, stdout=stdout, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def textpipe_run(pipeline):
    """A timed run; it writes its report, so that the stages do their report work too."""
    return [textpipe, "run", pipeline, "--quiet", "--workers", "1",
            "--report", os.path.join(out, "report.json")]

outputs = {}
for name, pipeline in list(pipelines.items()) + list(theme_pipelines.items()):
    outputs[name] = os.path.join(out, name.replace(" + ", "_") + ".out.ndjson")
    with open(outputs[name], "wb") as stdout:
        cpu_of(textpipe_run(pipeline), first5mb, stdout)

commands = [("no-stage", textpipe_run("bench/passthrough.json"))]
commands += [(name, textpipe_run(pipeline)) for name, pipeline in pipelines.items()]
commands += [(name, textpipe_run(pipeline)) for name, pipeline in theme_pipelines.items()]
have_peers = bool(peers) and os.path.isdir(os.path.join(peers, "node_modules")) and \
    subprocess.run(["node", "--version"], capture_output=True).returncode == 0
if have_peers:
    for peer in ("afinn", "vader"):
        commands.append((peer, ["node", "bench/peers.js", peer, peers, first5mb]))
else:
    print("peers skipped: set PEERS_DIR to a folder made with "
          "mkdir -p /tmp/peers && (cd /tmp/peers && npm install sentiment vader-sentiment)")
cpu = {name: [] for name, _ in commands}
with open(os.devnull, "wb") as null:
    for _ in range(runs):
        for name, command in commands:
            cpu[name].append(cpu_of(command, first5mb, null))
cpu = {name: statistics.median(values) for name, values in cpu.items()}

def tool_seconds(tool, path, pattern_word):
    line = subprocess.run([os.path.join(build, "bench", tool), path, str(runs)], check=True,
                          capture_output=True, text=True).stdout
    for text in line.splitlines():
        if text.startswith(pattern_word):
            return float(text[len(pattern_word):].split()[0])
    sys.exit("bench/output_floor.sh: no %r line from %s" % (pattern_word, tool))

printing = {name: tool_seconds("print_floor", path, "print") for name, path in outputs.items()}
printing_input = tool_seconds("print_floor", first5mb, "print")
probes = tool_seconds("floor", first5mb, "2 probes")
one_probe = tool_seconds("floor", first5mb, "split+probe") - tool_seconds("floor", first5mb, "split")

print("first 5 MB of the corpus, CPU seconds, median of %d (one worker)" % runs)
for name, seconds in cpu.items():
    print("  %-22s %.4f s" % (name, seconds))
print("  %-22s %.4f s (input), %s" % ("printing", printing_input,
      ", ".join("%.4f s (%s output)" % (printing[n], n) for n in printing)))
print("  %-22s %.4f s" % ("2 word probes", probes))
print("  %-22s %.4f s (split+probe minus split)" % ("1 probe a word", one_probe))
# the least each pipeline with that output can cost: no-stage + printing the extra + probes
floors = {name: cpu["no-stage"] + (printing[name] - printing_input) + probes for name in pipelines}
targets = [("tokenize + sentiment", "afinn", 10), ("default", "afinn", 3), ("default", "vader", 100)]
for name, peer, factor in targets:
    floor = floors[name]
    if peer not in cpu:
        continue
    budget = cpu[peer] / factor
    print("%-21s >= %3dx %-5s: budget %.4f s; floor %.4f s (no-stage %.4f + printing %.4f + "
          "probes %.4f) = %3.0f%% of it; textpipe %.4f s = %.1fx %s"
          % (name, factor, peer, budget, floor, cpu["no-stage"], printing[name] - printing_input,
             probes, 100 * floor / budget, cpu[name], cpu[peer] / cpu[name], peer))
# issue 13's own ratios (measured on 50 MB by bench/pipeline_speed.sh; the same shares here):
# each pipeline at most FACTOR x the no-stage run, so the budget is FACTOR x no-stage.
for name, factor in [("tokenize + sentiment", 5), ("default", 10)]:
    floor = floors[name]
    budget = factor * cpu["no-stage"]
    print("%-21s <= %3dx no-stage: budget %.4f s; floor %.4f s (no-stage %.4f + printing %.4f + "
          "probes %.4f) = %3.0f%% of it; textpipe %.4f s = %.1fx no-stage"
          % (name, factor, budget, floor, cpu["no-stage"], printing[name] - printing_input,
             probes, 100 * floor / budget, cpu[name], cpu[name] / cpu["no-stage"]))
theme_own = cpu["tokenize + theme (apply)"] - cpu["tokenize"]
theme_printing = printing["tokenize + theme (apply)"] - printing["tokenize"]
budget = 0.5 * cpu["no-stage"]
floor = theme_printing + one_probe
print("theme's own, apply   <= 0.5x no-stage: budget %.4f s; floor %.4f s (printing %.4f + "
      "1 probe a word %.4f) = %3.0f%% of it; textpipe %.4f s = %.2fx no-stage"
      % (budget, floor, theme_printing, one_probe, 100 * floor / budget, theme_own,
         theme_own / cpu["no-stage"]))
PY
