#!/usr/bin/env python3
"""bench/eval_themes.py - discovery quality of the theme plugin on the shared evaluation sets.

usage: eval_themes.py [--sets opinosis,newsgroups] [--seeds 42,1,2] [--themes given|0|both]
                      [--runs base,workers2,shuffle1,shuffle2] [--apply] [--oracle] [--build build]

Sets (read in place from ../shared/eval, never copied into the repository):
  opinosis    every sentence of the 34 Opinosis topics, gold = its topic (k = 34)
  newsgroups  1,205 long 20 Newsgroups posts of 8 groups, gold = its group (k = 8)
Runs: base (one worker, the first shuffle), workers2 (two workers), shuffle1 and shuffle2 (one
worker, two other shuffles of the records). Each run streams the shuffled records through
`textpipe run` with [tokenize, theme {"themes": k or 0, "members": true, "seed": s}], reads the
members of the report's discovered themes and scores them with tools/score_themes.py (NMI).
Printed: one line per set x run x themes mode with the median NMI over the seeds, and the
label check: the share of discovered themes whose label has a word among the 30 most
distinctive words of the gold topic most of its members hold (distinctive: share of the topic's
documents holding the word x log of that share over the word's share in the whole set; words
compared lowercased with a final "s" dropped).
--oracle: also print the ceiling the consistency rule leaves: the NMI when every online id the
records carry (their theme_id) is mapped to the gold topic most of its records hold, the best
any mapping of online ids to themes could do (it reads the gold labels: a measure, not a method).
--apply: fit a model (model_out) on the first half of the shuffled records, apply it (model) to
the second half and score that half, against scoring the same half of a run fitted on the whole.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_shared():
    """EVAL_DATA, else the first shared/eval beside the repository or one of its parents."""
    if os.environ.get("EVAL_DATA"):
        return os.environ["EVAL_DATA"]
    folder = ROOT
    while os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
        candidate = os.path.join(folder, "shared", "eval")
        if os.path.isdir(candidate):
            return candidate
    sys.exit("no shared/eval folder found: set EVAL_DATA")


SHARED = find_shared()
SCORER = os.path.join(SHARED, "tools", "score_themes.py")
SHUFFLES = {"base": 20100823, "workers2": 20100823, "shuffle1": 7, "shuffle2": 1234}
WORD = re.compile(r"[a-z][a-z']+")


def load_set(name):
    """[(id, text, gold)] of a set."""
    items = []
    if name == "opinosis":
        with open(os.path.join(SHARED, "opinosis", "opinosis.ndjson"), encoding="utf-8") as fh:
            for line in fh:
                topic = json.loads(line)
                for index, sentence in enumerate(topic["sentences"]):
                    items.append(("%s#%d" % (topic["topic"], index), sentence, topic["topic"]))
    elif name == "newsgroups":
        with open(os.path.join(SHARED, "newsgroups", "newsgroups.ndjson"), encoding="utf-8") as fh:
            for line in fh:
                post = json.loads(line)
                items.append((post["id"], post["text"], post["label"]))
    else:
        sys.exit("unknown set %s" % name)
    return items


def shuffled(items, seed):
    import random

    order = list(items)
    random.Random(seed).shuffle(order)  # a fixed shuffle: input order matters online
    return order


def write_records(items, path):
    with open(path, "w", encoding="utf-8") as out:
        for ident, text, _ in items:
            out.write(json.dumps({"id": ident, "text": text}, ensure_ascii=False) + "\n")


def write_gold(items, path):
    with open(path, "w", encoding="utf-8") as out:
        for ident, _, gold in items:
            out.write(json.dumps({"id": ident, "label": gold}) + "\n")


def run_theme(args, work, records, config, workers, tag):
    pipeline = os.path.join(work, "pipeline-%s.json" % tag)
    report = os.path.join(work, "report-%s.json" % tag)
    output = os.path.join(work, "out-%s.ndjson" % tag)
    with open(pipeline, "w") as out:
        json.dump({"name": "eval-themes",
                   "stages": [{"plugin": "tokenize"}, {"plugin": "theme", "config": config}]}, out)
    with open(records, "rb") as stdin, open(output, "wb") as stdout:
        subprocess.run([os.path.join(args.build, "core", "textpipe"), "run", pipeline,
                        "--workers", str(workers), "--report", report],
                       stdin=stdin, stdout=stdout, check=True)
    with open(report, encoding="utf-8") as fh:
        return json.load(fh), output


def section_of(report):
    sections = report["sections"]
    return sections["theme"] if "theme" in sections else next(iter(sections.values()))


def members_from_report(section):
    return {str(m): t["id"] for t in section.get("discovered", []) for m in t.get("members", [])}


def members_from_output(output):
    """Record id -> theme_id as written on each record (apply mode: the model's ids)."""
    assigned = {}
    with open(output, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            theme = record.get("theme_id")
            assigned[str(record["id"])] = theme if theme is not None else "outlier"
    return assigned


def gold_majority(gold_items, output):
    """Record id -> the gold topic most records of its online theme_id hold."""
    online = members_from_output(output)
    gold = {str(ident): topic for ident, _, topic in gold_items}
    topics = defaultdict(Counter)
    for ident, theme in online.items():
        topics[theme][gold[ident]] += 1
    majority = {theme: counts.most_common(1)[0][0] for theme, counts in topics.items()}
    return {ident: majority[theme] for ident, theme in online.items()}


def score(work, gold_items, assigned, tag):
    gold = os.path.join(work, "gold-%s.ndjson" % tag)
    system = os.path.join(work, "system-%s.ndjson" % tag)
    write_gold(gold_items, gold)
    with open(system, "w") as out:
        for ident, cluster in assigned.items():
            out.write(json.dumps({"id": ident, "cluster": cluster}) + "\n")
    line = subprocess.run([sys.executable, SCORER, gold, system, "--json"], check=True,
                          capture_output=True, text=True).stdout
    return json.loads(line)["nmi"]


def normal(word):
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def distinctive(items, top=30):
    """Gold topic -> set of its `top` most distinctive words."""
    docs = defaultdict(list)
    for _, text, gold in items:
        docs[gold].append({normal(w) for w in WORD.findall(text.lower())})
    overall = Counter()
    for sets in docs.values():
        for words in sets:
            overall.update(words)
    total = sum(len(v) for v in docs.values())
    result = {}
    for gold, sets in docs.items():
        inside = Counter()
        for words in sets:
            inside.update(words)
        scored = []
        for word, count in inside.items():
            share = count / len(sets)
            lift = share / (overall[word] / total)
            if count >= 3 and lift > 1:
                scored.append((share * math.log(lift), word))
        result[gold] = {w for _, w in sorted(scored, reverse=True)[:top]}
    return result


def label_check(section, items, words_of):
    gold_of = {ident: gold for ident, _, gold in items}
    passed = total = 0
    for theme in section.get("discovered", []):
        holds = Counter(gold_of.get(str(m)) for m in theme.get("members", []))
        if not holds:
            continue
        topic = holds.most_common(1)[0][0]
        label = {normal(w) for w in WORD.findall(theme.get("label", "").lower())}
        total += 1
        passed += bool(label & words_of.get(topic, set()))
    return passed / total if total else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="opinosis,newsgroups")
    parser.add_argument("--seeds", default="42,1,2")
    parser.add_argument("--themes", default="given", choices=["given", "0", "both"])
    parser.add_argument("--runs", default="base,workers2,shuffle1,shuffle2")
    parser.add_argument("--apply", action="store_true")
    parser.add_argument("--oracle", action="store_true")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--extra", default="{}", help="more theme options, JSON")
    parser.add_argument("--keep", help="keep the files in this folder")
    args = parser.parse_args()
    work = args.keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    extra = json.loads(args.extra)
    modes = {"given": ["given"], "0": ["0"], "both": ["given", "0"]}[args.themes]
    for name in args.sets.split(","):
        items = load_set(name)
        k = len({gold for _, _, gold in items})
        words_of = distinctive(items)
        for run in args.runs.split(","):
            order = shuffled(items, SHUFFLES[run])
            records = os.path.join(work, "%s-%s.ndjson" % (name, run))
            write_records(order, records)
            workers = 2 if run == "workers2" else 1
            for mode in modes:
                nmis, labels, counts, chose, ceilings = [], [], [], [], []
                for seed in seeds:
                    config = dict(extra, themes=k if mode == "given" else 0, members=True,
                                  seed=seed)
                    if mode == "0":
                        config.setdefault("max_themes", 3 * k if k > 12 else 24)
                    tag = "%s-%s-%s-%d" % (name, run, mode, seed)
                    report, output = run_theme(args, work, records, config, workers, tag)
                    section = section_of(report)
                    if args.oracle:
                        ceilings.append(score(work, order, gold_majority(order, output), tag))
                    nmis.append(score(work, order, members_from_report(section), tag))
                    labels.append(label_check(section, items, words_of))
                    counts.append(len(section.get("discovered", [])))
                    chose.append(section.get("chosen", {}).get("themes", ""))
                print("%-10s %-8s themes=%-5s NMI median %.4f (%s)  labels %.2f  themes %s%s"
                      % (name, run, k if mode == "given" else 0, statistics.median(nmis),
                         " ".join("%.3f" % v for v in nmis), statistics.median(labels),
                         counts, "  chosen %s" % chose if mode == "0" else ""), flush=True)
                if args.oracle:
                    print("%-10s %-8s themes=%-5s ceiling (online ids to their gold majority) "
                          "median %.4f (%s)" % (name, run, k if mode == "given" else 0,
                                                statistics.median(ceilings),
                                                " ".join("%.3f" % v for v in ceilings)),
                          flush=True)
        if args.apply:
            apply_check(args, work, name, items, k, seeds, extra)


def apply_check(args, work, name, items, k, seeds, extra):
    order = shuffled(items, SHUFFLES["base"])
    half = len(order) // 2
    first, second = order[:half], order[half:]
    whole_records = os.path.join(work, "%s-whole.ndjson" % name)
    first_records = os.path.join(work, "%s-first.ndjson" % name)
    second_records = os.path.join(work, "%s-second.ndjson" % name)
    write_records(order, whole_records)
    write_records(first, first_records)
    write_records(second, second_records)
    whole_nmis, applied_nmis, outliers = [], [], []
    for seed in seeds:
        config = dict(extra, themes=k, members=True, seed=seed)
        report, _ = run_theme(args, work, whole_records, config, 1, "whole-%d" % seed)
        assigned = members_from_report(section_of(report))
        whole_nmis.append(score(work, second, {i: assigned.get(i, "missing")
                                               for i, _, _ in second}, "whole-%d" % seed))
        model = os.path.join(work, "%s-%d.model.json" % (name, seed))
        run_theme(args, work, first_records, dict(config, model_out=model), 1, "fit-%d" % seed)
        _, output = run_theme(args, work, second_records,
                              dict(extra, model=model, members=True), 1, "apply-%d" % seed)
        applied = members_from_output(output)
        outliers.append(sum(v == "outlier" for v in applied.values()) / max(1, len(applied)))
        applied_nmis.append(score(work, second, applied, "apply-%d" % seed))
    print("%-10s apply: second half NMI, fitted on the whole %.4f, model of the first half "
          "applied %.4f (difference %.4f; outliers %.3f)"
          % (name, statistics.median(whole_nmis), statistics.median(applied_nmis),
             statistics.median(applied_nmis) - statistics.median(whole_nmis),
             statistics.median(outliers)), flush=True)


if __name__ == "__main__":
    main()
