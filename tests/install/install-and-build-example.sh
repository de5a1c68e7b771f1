#!/usr/bin/env bash
# tests/install/install-and-build-example.sh BUILD_DIR SOURCE_DIR - checks what `meson install`
# gives a plugin author: installs the build into a temporary DESTDIR, checks the binary, the
# header, textpipe.pc, the plugin folder and the bundled pipelines are there (and the pipelines
# pass `textpipe check` where they are installed), builds
# examples/plugins/wordcount with its one-command Makefile against the installed textpipe.pc,
# then runs the installed binary with the new plugin (`plugins wordcount`, `check`, `run`,
# `report` to HTML with its histogram).
# Exits non-zero with a message at the first thing that is missing or wrong.
set -euo pipefail
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
umask 022 # the loader refuses plugins that group or others can write

work=$(mktemp -d "${TMPDIR:-/tmp}/textpipe-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
destdir="$work/destdir"

fail() {
  echo "install test: $*" >&2
  exit 1
}

meson install -C "$build_dir" --no-rebuild --quiet --destdir "$destdir" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "meson install failed"; }

introspect() { meson introspect "$build_dir" --buildoptions |
  python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name']=='$1'))"; }
prefix=$(introspect prefix)
libdir=$(introspect libdir)
datadir=$(introspect datadir)
bindir=$(introspect bindir)
case "$libdir" in /*) ;; *) libdir="$prefix/$libdir" ;; esac
case "$datadir" in /*) ;; *) datadir="$prefix/$datadir" ;; esac
case "$bindir" in /*) ;; *) bindir="$prefix/$bindir" ;; esac
root="$destdir"

binary="$root$bindir/textpipe"
[ -x "$binary" ] || fail "no executable at $binary"
[ -f "$root$prefix/include/textpipe/plugin.h" ] || fail "plugin.h not installed"
[ -f "$root$prefix/include/textpipe/text.h" ] || fail "text.h not installed"
[ -f "$root$libdir/pkgconfig/textpipe.pc" ] || fail "textpipe.pc not installed"
[ -f "$root$datadir/textpipe/pipelines/comments.json" ] || fail "pipelines not installed"
# Built-in plugins land in <libdir>/textpipe/plugins, each as <name>.so.
for built in "$build_dir"/plugins/*/*.so; do
  [ -e "$built" ] || continue
  [ -f "$root$libdir/textpipe/plugins/$(basename "$built")" ] ||
    fail "built-in plugin $(basename "$built") not installed in $libdir/textpipe/plugins"
done

# The bundled pipelines are valid where they are installed, with the installed plugins (searched
# first through TEXTPIPE_PLUGIN_PATH) and the files they name, such as a theme taxonomy, found
# relative to the installed pipeline.
for pipeline in "$root$datadir"/textpipe/pipelines/*.json; do
  TEXTPIPE_PLUGIN_PATH="$root$libdir/textpipe/plugins" "$binary" check "$pipeline" >/dev/null 2>"$work/check-installed.err" ||
    { cat "$work/check-installed.err" >&2; fail "installed $(basename "$pipeline") does not check"; }
done

# The installed binary never searches the tree it was built in: none of its plugins (each listed
# with its file) comes from the build folder.
TEXTPIPE_PLUGIN_PATH="" "$binary" plugins >"$work/plugins-installed.out" 2>&1 ||
  fail "textpipe plugins failed: $(cat "$work/plugins-installed.out")"
if grep -qF "$build_dir/" "$work/plugins-installed.out"; then
  fail "the installed binary loads plugins from its build tree: $(grep -F "$build_dir/" "$work/plugins-installed.out" | head -1)"
fi

# The plugin author's side: pkg-config finds textpipe and the Makefile's one command builds.
export PKG_CONFIG_PATH="$root$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$root"
# (pkg-config prefixes the sysroot to variables too, so compare the end.)
case "$(pkg-config --variable=plugindir textpipe)" in
*"$libdir/textpipe/plugins") ;;
*) fail "textpipe.pc plugindir is $(pkg-config --variable=plugindir textpipe)" ;;
esac
# The example comes from where it is installed, as a plugin author finds it.
example="$root$datadir/textpipe/examples/wordcount"
[ -f "$example/wordcount.c" ] || fail "the example plugin is not installed in $datadir/textpipe/examples"
cmp -s "$example/wordcount.c" "$source_dir/examples/plugins/wordcount/wordcount.c" ||
  fail "the installed example differs from examples/plugins/wordcount"
cp -r "$example" "$work/wordcount"
chmod -R go-w "$work/wordcount"
make -s -C "$work/wordcount" CFLAGS="-O2 -Wall -Wextra -Werror" >"$work/make.log" 2>&1 ||
  { cat "$work/make.log" >&2; fail "building the example plugin failed"; }

export TEXTPIPE_PLUGIN_PATH="$work/wordcount"
"$binary" plugins wordcount >"$work/plugins.out" || fail "textpipe plugins wordcount failed"
grep -q '^wordcount 1.0.0$' "$work/plugins.out" || fail "plugins wordcount: $(head -1 "$work/plugins.out")"
grep -q 'min_length' "$work/plugins.out" || fail "plugins wordcount does not list min_length"
"$binary" check "$work/wordcount/wordcount.json" >"$work/check.out" ||
  fail "textpipe check of the example pipeline failed"
grep -q ': ok (1 stage: wordcount)$' "$work/check.out" || fail "check said: $(cat "$work/check.out")"

printf '%s\n' '{"id": 1, "text": "One two three, four!"}' '{"id": 2, "text": "a b c déjà vu"}' \
  >"$work/input.ndjson"
"$binary" run "$work/wordcount/wordcount.json" -i "$work/input.ndjson" -o "$work/out.ndjson" \
  --report "$work/report.json" 2>"$work/run.err" || { cat "$work/run.err" >&2; fail "run failed"; }
python3 - "$work/out.ndjson" "$work/report.json" <<'PY' || fail "wrong output from the example plugin"
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
counts = [r["wordcount"] for r in records]
assert counts == [4, 2], counts  # min_length 2: "a", "b", "c" are too short
report = json.dumps(json.load(open(sys.argv[2])))
assert '"words": 6' in report, report
PY
# Step 7: the HTML report draws the outside plugin's histogram block as a chart (an inline SVG
# with one <rect class="bin"> per bin, inside the wordcount section), with no change to the core.
"$binary" report "$work/report.json" -o "$work/report.html" 2>"$work/report.err" ||
  { cat "$work/report.err" >&2; fail "textpipe report report.json -o report.html failed"; }
python3 - "$work/report.html" <<'PY' || fail "the HTML report does not draw the example's histogram"
import re, sys
html = open(sys.argv[1]).read()
start = html.index("<h2>wordcount</h2>")
section = html[start:html.index("</section>", start)]
chart = section.index("<h3>Words per record</h3>")
svg = section.index('<div class="plot" role="img" aria-label="Histogram">', chart)
svg = section.index("<svg", svg)
svg_end = section.index("</svg>", svg)
bins = re.findall(r'<rect class="bin"[^>]*><title>([^<]*)</title>', section[svg:svg_end])
assert len(bins) == 9, bins
assert bins[0] == "0 to 5: 2", bins
PY
# The walk-through of CONTRIBUTING.md as written: step 2's code block compiles warning-free,
# step 5's pipeline checks and gives the output shown there, step 6's case passes.
walk="$work/walkthrough"
mkdir -p "$walk/tests/basic"
python3 - "$source_dir/CONTRIBUTING.md" "$walk" <<'PY' || fail "CONTRIBUTING.md: the walk-through's blocks are missing"
import re, sys
text = open(sys.argv[1]).read()
def block(step, kind):
    section = text[text.index("### %d. " % step):]
    section = section[:section.index("\n### ", 4)]
    return re.search(r"```%s\n(.*?)```" % kind, section, re.S).group(1)
open(sys.argv[2] + "/wordcount.c", "w").write(block(2, "c"))
open(sys.argv[2] + "/wordcount.json", "w").write(block(5, "json"))
steps = block(5, "sh")
open(sys.argv[2] + "/run-line", "w").write(re.search(r"^echo '(.*?)' \|", steps, re.M).group(1) + "\n")
open(sys.argv[2] + "/expected-line", "w").write(re.search(r"^# (\{.*\})$", steps, re.M).group(1) + "\n")
case = block(6, "sh")
for name in ("pipeline.json", "input.ndjson", "expected.ndjson"):
    line = re.search(r"^printf '%%s\\n' '(.*?)' >%s$" % re.escape(name), case, re.M).group(1)
    open(sys.argv[2] + "/tests/basic/" + name, "w").write(line + "\n")
PY
cc -Wall -Wextra -Werror -shared -fPIC -o "$walk/wordcount.so" "$walk/wordcount.c" \
  $(pkg-config --cflags --libs textpipe) 2>"$walk/cc.log" ||
  { cat "$walk/cc.log" >&2; fail "CONTRIBUTING.md step 2 does not compile warning-free"; }
chmod -R go-w "$walk"
(
  export TEXTPIPE_PLUGIN_PATH="$walk"
  cd "$walk"
  "$binary" check wordcount.json | grep -qx 'wordcount.json: ok (1 stage: wordcount)' ||
    fail "CONTRIBUTING.md step 5: check does not say what it shows"
  "$binary" run -q wordcount.json <run-line >got-line || fail "CONTRIBUTING.md step 5: run failed"
  cmp -s got-line expected-line ||
    fail "CONTRIBUTING.md step 5: run printed $(cat got-line), the text shows $(cat expected-line)"
  "$binary" test tests | grep -qx '1 case: 1 passed, 0 failed' ||
    fail "CONTRIBUTING.md step 6: textpipe test does not pass: $("$binary" test tests 2>&1)"
)

# The plugin author's kit: the example's golden cases pass with the installed binary.
"$binary" test "$work/wordcount/tests" >"$work/test.out" 2>&1 ||
  { cat "$work/test.out" >&2; fail "textpipe test of the example's cases failed"; }
grep -q '^3 cases: 3 passed, 0 failed$' "$work/test.out" || fail "textpipe test said: $(cat "$work/test.out")"

echo "install test: ok (installed to $destdir, example plugin built, run and tested)"
