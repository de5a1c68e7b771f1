#!/usr/bin/env python3
"""Writes about --bytes of NDJSON to stdout by repeating the lines of --corpus (whole lines
only), so bench/core.sh can pipe a stream of any size into textpipe without storing it."""
import argparse, sys

def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--bytes", type=int, required=True)
    args = parser.parse_args()
    with open(args.corpus, "rb") as f:
        data = f.read()
    out = sys.stdout.buffer
    left = args.bytes
    while left >= len(data):
        out.write(data)
        left -= len(data)
    if left > 0:
        cut = data.rfind(b"\n", 0, left)
        out.write(data[: cut + 1])

if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
