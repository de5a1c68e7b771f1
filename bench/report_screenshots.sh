#!/usr/bin/env bash
# bench/report_screenshots.sh [REPORT.json] - look at the HTML report in a real browser.
#
# Renders a JSON report with `textpipe report`, then with headless Chromium (Debian package
# `chromium`, installed here when missing; it is not a build dependency):
#   1. checks the page loads nothing: no src/href/url()/@import/"://" in the HTML, no request
#      for any URL in Chromium's network log (other than Chromium's own google.com and
#      googleapis.com housekeeping, which its resolver is told to fail), no console message;
#   2. checks the DOM Chromium built holds every section heading of the page;
#   3. saves full-page screenshots at 1280 px (desktop) and 390 px (phone) widths into
#      bench/out/report-desktop.png and bench/out/report-phone.png.
#
# Without an argument it renders the report of the bundled sample (pipelines/comments.json on
# samples/comments.ndjson) when that pipeline runs an analysis (sentiment, theme or summary),
# else the hand-written test fixture tests/fixtures/report/hand-written-report.json, and says
# which.
# Exits non-zero when a check fails. Not a unit test: it needs Chromium and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "report_screenshots: chromium is missing; run: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "report_screenshots: installing chromium" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

scripts/build build
textpipe=build/core/textpipe
out=bench/out
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

report=${1:-}
if [ -z "$report" ]; then
  report=tests/fixtures/report/hand-written-report.json
  if "$textpipe" run pipelines/comments.json --report "$work/sample-report.json" \
    <samples/comments.ndjson >/dev/null 2>"$work/run.stderr" &&
    python3 -c '
import json, sys
stages = {s.get("plugin") for s in json.load(open(sys.argv[1])).get("stages", [])}
sys.exit(0 if stages & {"sentiment", "theme", "summary"} else 1)' "$work/sample-report.json" \
      2>/dev/null; then
    report="$work/sample-report.json"
    cp "$report" "$out/sample-report.json"
    echo "report_screenshots: rendering the bundled sample's report (bench/out/sample-report.json)"
  else
    echo "report_screenshots: the sample pipeline runs no analysis yet;" \
      "rendering the HAND-WRITTEN TEST FIXTURE $report"
  fi
fi
page="$out/report.html"
"$textpipe" report "$report" -o "$page"
echo "report_screenshots: $page ($(wc -c <"$page") bytes)"

failed=0
# 1a. Nothing in the markup that could load a resource.
if grep -Eion 'src=|href=|url\(|@import|://|<script|<link|<img|<iframe' "$page" | head -5 |
  grep .; then
  echo "report_screenshots: FAIL: the page refers to something outside itself" >&2
  failed=1
fi

browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --host-resolver-rules="MAP * ~NOTFOUND" \
    --hide-scrollbars "$@" "file://$PWD/$page"
}

# 1b/1c/2. Load it once with logging: requests, console messages, the DOM.
browser --enable-logging=stderr --v=0 --log-net-log="$work/net.json" --dump-dom \
  >"$work/dom.html" 2>"$work/browser.stderr" || true
requests=$(grep -o '"url":"[^"]*"' "$work/net.json" | sort -u |
  grep -Ev '"url":"https?://[^/"]*(google\.com|googleapis\.com)[/"]' || true)
if [ -n "$requests" ]; then
  echo "report_screenshots: FAIL: the page made requests:" >&2
  echo "$requests" >&2
  failed=1
fi
if grep -E ':CONSOLE|Refused to|net::ERR' "$work/browser.stderr"; then
  echo "report_screenshots: FAIL: console messages while loading the page" >&2
  failed=1
fi
for heading in $(grep -o '<h2>[A-Za-z ]*' "$page" | sed 's/<h2>//; s/ /_/g'); do
  if ! grep -q "<h2>${heading//_/ }" "$work/dom.html"; then
    echo "report_screenshots: FAIL: section '$heading' missing from Chromium's DOM" >&2
    failed=1
  fi
done
if ! grep -q '</footer>' "$work/dom.html"; then
  echo "report_screenshots: FAIL: Chromium's DOM ends early" >&2
  failed=1
fi

# 3. Screenshots: a tall window, then the empty page background below the content trimmed.
shoot() { # NAME WIDTH MAX_HEIGHT
  browser --window-size="$2,$3" --screenshot="$work/$1.png" >/dev/null 2>&1
  python3 bench/png_trim.py "$work/$1.png" "$out/$1.png"
  echo "report_screenshots: $out/$1.png ($(python3 bench/png_trim.py --size "$out/$1.png"))"
}
shoot report-desktop 1280 6000
shoot report-phone 390 12000

if [ "$failed" -ne 0 ]; then
  echo "report_screenshots: FAILED" >&2
  exit 1
fi
echo "report_screenshots: no external reference, no request, no console message"
