#!/usr/bin/env python3
"""tests/complexity/complexity.py - no input shape makes textpipe superlinear.

Runs the textpipe binary on one record of each pathological shape (SHAPES) at N and 4N bytes,
through the default pipeline (all four built-in stages; with --stages, also each stage alone
after tokenize, which they need: the bench table, too slow for the suite); then
`textpipe report` on a timeline of N and 4N points and `textpipe check` on a pipeline of N and
4N keys. It fails when the child's CPU time (user + system, from wait4's rusage; the best of up
to 3 runs, and 3 more for a case over the bound before it fails) grows more than 5x (8x for
`check` on many keys, CAPPED_BOUND). A linear stage grows about 4x, a quadratic one 16x.

What a run costs on a one-word record (start-up: plugins, taxonomy, lexicon) is measured the
same way; N starts at --bytes and doubles (up to 1 MiB) while the record's own work at N (the
time above start-up) is under MIN_WORK seconds, so that it is not lost in the start-up. The
ratio compares whole runs, start-up included: a linear record then grows less than 4x and a
quadratic one (16x on its own work, at least as much as the start-up) well over 5x, and a
busy machine's noise in the start-up cannot push a linear record over the bound. A pair that
is clearly linear after one run (<= 4.5x) is not run again.

Usage: complexity.py BINARY SOURCE_ROOT [--bytes N] [--stages] [--table] [--only NAME]
  --bytes N    the smallest N (default 65536, or $TEXTPIPE_COMPLEXITY_BYTES)
  --stages     also each stage alone (tokenize, sentiment, theme, summary)
  --table      print a Markdown table (shape, through, N, CPU s at N and 4N, ratio); exit 0
  --only NAME  one pipeline (tokenize, sentiment, theme, summary, default, report, check)
Exit status: 0 all within the bound, 1 some shape grew more than 5x, 2 usage or a failed run.
"""
import json
import os
import subprocess
import sys
import tempfile

BOUND = 5.0
RUNS = 3
CLEARLY_LINEAR = 4.5
MIN_WORK = 0.03  # CPU seconds of work at N below which N is doubled
# N at most (4N = 4 MiB). Shapes that make many tokens reach MIN_WORK far below it: past a few
# MiB of record, caches and page faults alone make linear work grow 5x or more from N to 4N
# on a busy machine (callgrind counts of the same runs grow 3-4x).
MAX_BYTES = 1 << 20
# The bound for a case whose N is held down by a size cap, so that its work at N stays near
# 10 ms (`check` on many keys: pipeline files stop at 4 MiB). There a linear run's 4N, whose
# tree no longer fits the caches, alone grew 5.3x once on a busy machine (0.029 s -> 0.157 s
# under the sanitizers). A quadratic one still grows about 10x counted with its start-up.
CAPPED_BOUND = 8.0
FLOOR_SECONDS = 0.001  # no division by ~0


def repeat(unit):
    """A shape made of `unit` repeated to the size asked."""
    return lambda size: unit * max(1, size // len(unit.encode()))


def nested(opening, closing):
    """`opening` * k + "x" + `closing` * k: deep nesting."""
    def make(size):
        k = max(1, size // (len(opening.encode()) + len(closing.encode())))
        return opening * k + "x" + closing * k
    return make


def distinct_words(size):
    words, used, i = [], 0, 0
    while used < size:
        word = "w%x" % (i * 2654435761 % (1 << 32))
        words.append(word)
        used += len(word) + 1
        i += 1
    return " ".join(words)


def distinct_sentences(size):
    parts, used, i = [], 0, 0
    while used < size:
        part = "Topic%d is good and item%d is bad." % (i, i * 7)
        parts.append(part)
        used += len(part) + 1
        i += 1
    return " ".join(parts)


def one_long_url(size):
    return "see https://example.com/" + "segment/" * max(1, size // 8) + " now"


def whitespace_run(size):
    return "a" + " " * size + "b"


# name -> function(size in bytes) -> text. Each is a record text that an ordinary comment
# never looks like, chosen where tokenizing, sentence splitting, scoring, keyphrases or
# ranking could do work per pair of tokens, sentences or characters.
SHAPES = {
    "one long sentence": repeat("the cat sat on the mat and "),
    "short sentences": repeat("Good. "),
    "empty sentences": repeat(". "),
    "one-word sentences": repeat("Fine! Bad? "),
    "distinct sentences": distinct_sentences,
    "one word repeated": repeat("spam "),
    "distinct words": distinct_words,
    "no spaces": repeat("abcdefgh"),
    "all punctuation": repeat("!?.,;:-"),
    "ellipses": repeat("..."),
    "all emoji": repeat("\U0001F600"),
    "emoji and words": repeat("love \U0001F60D "),
    "nested brackets": nested("(", ")"),
    "nested quotes": nested("\"'\u201c", "\u201d'\""),
    "one long url": one_long_url,
    "many urls": repeat("https://example.com/a?b=c "),
    "emails and mentions": repeat("me@example.com @user #tag "),
    "html entities": repeat("&amp;&lt;&#x41; "),
    "numbers": repeat("12,345.67 "),
    "negations": repeat("not "),
    "intensifiers": repeat("very "),
    "contractions": repeat("don't can't "),
    "hyphen chain": repeat("a-"),
    "abbreviations": repeat("Mr. e.g. U.S. "),
    "capitalized names": repeat("Alice Bob Carol "),
    "combining marks": repeat("e\u0301"),
    "no-space script": repeat("\u6f22\u5b57\u304b\u306a"),
    "whitespace run": whitespace_run,
    "line breaks": repeat("a\nb\r\n"),
}


def pipelines(source_root, folder):
    """name -> pipeline file: each stage after tokenize, and the default pipeline."""
    taxonomy = os.path.join(source_root, "plugins/theme/themes/public-policy.json")
    tokenize = {"plugin": "tokenize", "config": {"emit": "none"}}
    stages = {
        "tokenize": [tokenize],
        "sentiment": [tokenize, {"plugin": "sentiment", "config": {"sentences": True}}],
        "theme": [tokenize, {"plugin": "theme", "config": {"taxonomy": taxonomy}}],
        "summary": [tokenize, {"plugin": "summary"}],
    }
    files = {}
    for name, chain in stages.items():
        path = os.path.join(folder, name + ".json")
        with open(path, "w") as out:
            json.dump({"name": name, "input": {"format": "ndjson", "text_field": "text"},
                       "stages": chain}, out)
        files[name] = path
    files["default"] = os.path.join(source_root, "pipelines/comments.json")
    return files


def cpu_seconds(command, input_path, expected_status=0):
    """CPU seconds (user + system) of one run of `command` (argv) with `input_path` as its stdin;
    raises when it exits other than `expected_status`."""
    with open(input_path, "rb") as given:
        child = subprocess.Popen(command, stdin=given, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        error = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != expected_status:
        raise RuntimeError("%s < %s: exit %d: %s" % (" ".join(command), input_path, code,
                                                     error.decode(errors="replace")[:400]))
    return usage.ru_utime + usage.ru_stime


def write_record(path, text):
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n")


def write_report(path, size):
    """A report whose section draws a timeline block of about size / 30 points."""
    points = max(1, size // 30)
    block = {"type": "timeline", "title": "Mean over the input", "diverging": True,
             "points": [{"x": i + 1, "y": ((i % 200) - 100) / 100, "count": i % 7 + 1}
                        for i in range(points)]}
    report = {"textpipe": "0.1.0", "pipeline": "complexity", "counts": {"in": points},
              "sections": {"sentiment": {"blocks": [block]}}}
    with open(path, "w") as out:
        json.dump(report, out)


def write_keys(path, size):
    """A pipeline file of about size / 12 top-level keys (all unknown: check stops there)."""
    keys = max(1, size // 12)
    with open(path, "w") as out:
        out.write('{"stages": []' + "".join(', "k%d": 0' % i for i in range(keys)) + "}")


class Case:
    """One thing to time at N and 4N: `write(path, size)` makes the input, `command(path)` the
    argv, run with that input as stdin or argument."""

    def __init__(self, shape, through, write, command, expected_status=0, max_size=MAX_BYTES,
                 bound=BOUND):
        self.shape, self.through, self.write = shape, through, write
        self.command, self.expected_status = command, expected_status
        self.max_size, self.bound = max_size, bound

    def seconds(self, path):
        return cpu_seconds(self.command(path), path, self.expected_status)


def cases(binary, source_root, folder, only, stages):
    files = pipelines(source_root, folder)
    for name, pipeline in files.items():
        if only == name or (only is None and (stages or name == "default")):
            run = [binary, "run", pipeline, "-o", "/dev/null", "-q",
                   "--max-record-bytes", str(64 << 20)]
            yield Case("one word", name, lambda p, s: write_record(p, "fine"),
                       lambda p, run=run: run)
            for shape, make in SHAPES.items():
                yield Case(shape, name, lambda p, s, make=make: write_record(p, make(s)),
                           lambda p, run=run: run)
    if only in (None, "report"):
        yield Case("one point", "report", lambda p, s: write_report(p, 10),
                   lambda p: [binary, "report", p, "-o", "/dev/null"])
        yield Case("timeline points", "report", write_report,
                   lambda p: [binary, "report", p, "-o", "/dev/null"])
    if only in (None, "check"):
        yield Case("one key", "check", lambda p, s: write_keys(p, 12),
                   lambda p: [binary, "check", p], 2)
        # 4N stays under the 4 MiB cap on pipeline files.
        yield Case("object keys", "check", write_keys, lambda p: [binary, "check", p], 2,
                   (4 << 20) // 4 - 4096, CAPPED_BOUND)


def measure(case, folder, size, base):
    """(N, CPU s at N, CPU s at 4N, ratio of the work) for `case`, N from `size` up."""
    size = min(size, case.max_size)
    small, large = os.path.join(folder, "n.input"), os.path.join(folder, "4n.input")
    while True:
        case.write(small, size)
        at_n = case.seconds(small)
        if at_n - base >= MIN_WORK or 2 * size > case.max_size:
            break
        size *= 2
    case.write(large, 4 * size)
    at_4n = float("inf")
    for run in range(2 * RUNS):  # interleaved, so a busy spell hits both sizes alike
        if run > 0:
            at_n = min(at_n, case.seconds(small))
        at_4n = min(at_4n, case.seconds(large))
        ratio = at_4n / max(at_n, FLOOR_SECONDS)
        # Best of 3; a case still over the bound gets 3 more runs before it fails (a busy
        # machine), and one clearly linear after a run is not run again.
        if ratio <= CLEARLY_LINEAR or (run == RUNS - 1 and ratio <= case.bound):
            break
    return os.path.getsize(small), at_n, at_4n, ratio


def main(argv):
    args = [a for i, a in enumerate(argv[1:], 1)
            if not a.startswith("--") and argv[i - 1] not in ("--bytes", "--only")]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, source_root = os.path.abspath(args[0]), os.path.abspath(args[1])
    size = int(os.environ.get("TEXTPIPE_COMPLEXITY_BYTES", "65536"))
    only = None
    for i, a in enumerate(argv):
        if a == "--bytes":
            size = int(argv[i + 1])
        if a == "--only":
            only = argv[i + 1]
    table = "--table" in argv
    failures, rows = [], []
    base = {}
    with tempfile.TemporaryDirectory(prefix="textpipe-complexity-") as folder:
        for case in cases(binary, source_root, folder, only, "--stages" in argv):
            if case.through not in base:  # the first case of each is its start-up
                path = os.path.join(folder, "base.input")
                case.write(path, size)
                base[case.through] = min(case.seconds(path) for _ in range(RUNS))
                continue
            n, at_n, at_4n, ratio = measure(case, folder, size, base[case.through])
            rows.append((case.shape, case.through, n, at_n, at_4n, ratio))
            if ratio > case.bound:
                failures.append("%s through %s: %.3f s at N = %d bytes, %.3f s at 4N (start-up "
                                "%.3f s): %.1fx > %.0fx" % (case.shape, case.through, at_n, n,
                                                            at_4n, base[case.through], ratio,
                                                            case.bound))
    if table:
        print("| shape | through | N bytes | CPU s at N | CPU s at 4N | ratio |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for shape, through, n, at_n, at_4n, ratio in rows:
            print("| %s | %s | %d | %.3f | %.3f | %.1f |" % (shape, through, n, at_n, at_4n,
                                                            ratio))
        return 0
    for failure in failures:
        print("complexity: superlinear: " + failure, file=sys.stderr)
    print("complexity: %d cases (%d shapes through the pipelines, report, check), %d over their "
          "bound (%.0fx; %.0fx where a size cap holds N down)"
          % (len(rows), len(SHAPES), len(failures), BOUND, CAPPED_BOUND))
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except RuntimeError as error:
        print("complexity: " + str(error), file=sys.stderr)
        sys.exit(2)
