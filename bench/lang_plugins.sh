#!/usr/bin/env bash
# bench/lang_plugins.sh [BUILD_DIR] - the lua and exec stages against their references, in one
# run, on the 50 MB corpus, one worker (issue 16's targets).
#
# 1. Lua: `textpipe run bench/lang/lua_length.json` (a Lua stage reading the text's length and
#    setting one number) against the no-stage pipeline bench/passthrough.json. Target: the
#    stage adds at most 1x the no-stage time (ratio lua / no-stage <= 2.0).
# 2. exec: `textpipe run bench/lang/exec_passthrough.json` (the Python pass-through co-process
#    bench/lang/passthrough.py) against the same Python script reading the same requests from
#    a file and writing its answers, alone. Target: ratio <= 1.3. Also shown: the same
#    pipeline on two workers (two children), outside the target.
# Runs alternate (RUNS times each, default 5); medians of wall seconds, CPU seconds (user +
# system of the whole process tree) beside them, and the median of each round's own ratio. The requests file is written once, untimed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${RUNS:-5}
corpus=bench/data/comments.ndjson
out=bench/out/lang
mkdir -p "$out"

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" >/dev/null
fi
ninja -C "$build" core/textpipe plugins/lua/lua.so plugins/exec/exec.so bench/timed >/dev/null
textpipe=$build/core/textpipe

. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
size=$(stat -c %s "$corpus")

# What the exec stage sends for each record, so the script alone reads the same bytes.
requests=$out/requests.ndjson
python3 - "$corpus" "$requests" <<'PY'
import sys
with open(sys.argv[1], "rb") as corpus, open(sys.argv[2], "wb") as requests:
    for number, line in enumerate(corpus):
        requests.write(b'{"id":%d,"record":%s}\n' % (number, line.rstrip(b"\n")))
PY

# "wall cpu" seconds of one command, stdin from $1, stdout to /dev/null; bench/timed reads CPU
# to the microsecond (its line: wall, peak RSS, user, system), where GNU time counts 10 ms ticks.
measure() {
  local input=$1 report
  shift
  report=$(mktemp)
  "$build/bench/timed" "$report" "$@" <"$input" >/dev/null 2>/dev/null
  awk '{ printf "%.3f %.3f\n", $1, $3 + $4 }' "$report"
  rm -f "$report"
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A wall cpu round
exec_rounds="" lua_rounds=""
names=(none lua python exec exec2)
for _ in $(seq "$runs"); do
  for name in "${names[@]}"; do
    case $name in
    none) result=$(measure "$corpus" "$textpipe" run bench/passthrough.json --quiet --workers 1) ;;
    lua) result=$(measure "$corpus" "$textpipe" run bench/lang/lua_length.json --quiet --workers 1) ;;
    python) result=$(measure "$requests" python3 bench/lang/passthrough.py) ;;
    exec) result=$(measure "$corpus" "$textpipe" run bench/lang/exec_passthrough.json --quiet --workers 1) ;;
    exec2) result=$(measure "$corpus" "$textpipe" run bench/lang/exec_passthrough.json --quiet --workers 2) ;;
    esac
    wall[$name]+="${result% *} "
    cpu[$name]+="${result#* } "
    round[$name]=${result% *}
  done
  # This round's ratios, from runs seconds apart: steadier than ratios of medians when the
  # machine's load changes during the bench.
  exec_rounds+="$(awk "BEGIN { printf \"%.3f\", ${round[exec]} / ${round[python]} }") "
  lua_rounds+="$(awk "BEGIN { printf \"%.3f\", (${round[lua]} - ${round[none]}) / ${round[none]} }") "
done

declare -A wall_median cpu_median
for name in "${names[@]}"; do
  wall_median[$name]=$(printf '%s\n' ${wall[$name]} | median)
  cpu_median[$name]=$(printf '%s\n' ${cpu[$name]} | median)
done
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

echo "lang plugins on $corpus ($size bytes), one worker, median of $runs alternating runs:"
printf '  %-44s %7s %7s\n' "" "wall s" "cpu s"
printf '  %-44s %7.3f %7.3f\n' "no stage (bench/passthrough.json)" "${wall_median[none]}" "${cpu_median[none]}"
printf '  %-44s %7.3f %7.3f\n' "lua stage (bench/lang/lua_length.json)" "${wall_median[lua]}" "${cpu_median[lua]}"
printf '  %-44s %7.3f %7.3f\n' "passthrough.py alone on the requests" "${wall_median[python]}" "${cpu_median[python]}"
printf '  %-44s %7.3f %7.3f\n' "exec stage (bench/lang/exec_passthrough.json)" "${wall_median[exec]}" "${cpu_median[exec]}"
printf '  %-44s %7.3f %7.3f\n' "exec stage, --workers 2 (two children)" "${wall_median[exec2]}" "${cpu_median[exec2]}"
echo "lua: the stage adds $(calc "(${wall_median[lua]} - ${wall_median[none]}) / ${wall_median[none]}")x the no-stage time (target <= 1.00x)"
echo "exec: pipeline / script alone = $(calc "${wall_median[exec]} / ${wall_median[python]}")x (target <= 1.30x); CPU $(calc "${cpu_median[exec]} / ${cpu_median[python]}")x"
echo "per round (median of the $runs rounds' own ratios): exec / script alone $(printf '%s\n' $exec_rounds | median | xargs printf '%.2f')x, lua on top $(printf '%s\n' $lua_rounds | median | xargs printf '%.2f')x"
echo "lua: CPU of the stage on top: $(calc "(${cpu_median[lua]} - ${cpu_median[none]}) / ${cpu_median[none]}")x"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores; wall figures need an idle machine)"
