#!/usr/bin/env python3
"""fuzz/make_seeds.py - (re)writes the seed corpora in fuzz/corpus/<target>/ from the repo's
samples, pipelines and a few hand-made edge cases. Run from anywhere; idempotent."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

samples = (ROOT / "samples" / "comments.ndjson").read_bytes()
sample_lines = [line for line in samples.split(b"\n") if line.strip()]
edge_lines = [
    b'{"text": "plain"}',
    b'{"text": "caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \\u0000 nul"}',
    b'{"text": "bad \xff\xfe utf-8"}',
    b'{"text": "overlong \xc0\xaf"}',
    b'{"text": 3}',
    b'{"a": {"b": "nested text"}, "text": "x"}',
    b'[1, 2, 3]',
    b'{"text": "unterminated',
    b"   \t\r",
    b'{"text": "crlf"}\r',
    b'{"text": "' + b"long " * 40 + b'"}',
    b'{"text": "x", "text": "duplicate key"}',
    b"plain text line for the lines format",
]


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


# reader: byte 0 = format/text field/limit bits, byte 1 = chunk seed.
body = b"\n".join(sample_lines[:4] + edge_lines) + b"\n"
for control, seed in [(0, 0), (1, 7), (2, 33), (4, 1), (7, 200)]:
    write("reader", f"mixed-{control}-{seed}", bytes([control, seed]) + body)
write("reader", "no-final-newline", b"\x00\x05" + b'{"text": "a"}\n{"text": "b"}')

# pipeline: every pipeline file of the repo and a few broken ones.
for path in sorted((ROOT / "pipelines").glob("*.json")) + [ROOT / "fuzz" / "tokenize.json"]:
    write("pipeline", path.name, path.read_bytes())
broken = {
    "trailing-comma.json": b'{"name": "x", "stages": [{"plugin": "tokenize"},]}',
    "unknown-key.json": b'{"name": "x", "stagez": []}',
    "bad-option.json": b'{"stages": [{"plugin": "tokenize", "config": {"emit": 3}}]}',
    "path-plugin.json": b'{"stages": [{"path": "../../etc/passwd"}]}',
    "deep.json": b'{"stages": ' + b"[" * 200 + b"]" * 200 + b"}",
    "lines.json": json.dumps({"name": "l", "input": {"format": "lines", "max_record_bytes": 10},
                              "stages": [{"plugin": "tokenize", "id": "t"}],
                              "on_error": "stop"}).encode(),
}
for name, data in broken.items():
    write("pipeline", name, data)

# tokenize: byte 0 bit 0 = raw bytes (1) or through the core's UTF-8 check (0).
texts = [json.loads(line)["text"].encode() for line in sample_lines if line.startswith(b"{")]
for i, text in enumerate(texts[:4]):
    write("tokenize", f"sample-{i}", b"\x00" + text)
write("tokenize", "raw-invalid", b"\x01" + b"bad \xff\xfe \xc0\xaf bytes. Another sentence!")
write("tokenize", "mixed-scripts", "\x00Привет мир. 你好，世界。 مرحبا بالعالم! e.g. U.S.A. #tag @user http://x.y/z 3.14".encode())

# default: NDJSON records.
write("default", "samples", b"\n".join(sample_lines) + b"\n")
write("default", "edges", b"\n".join(edge_lines) + b"\n")

# report: JSON reports for the HTML renderer, every block type and a few broken ones.
write("report", "hand-written.json",
      (ROOT / "tests" / "fixtures" / "report" / "hand-written-report.json").read_bytes())
write("report", "escapes.json",
      (ROOT / "tests" / "e2e" / "cases" / "report_html_escapes_text" / "stdin").read_bytes())
blocks = {
    "tiles": [{"type": "tiles", "title": "T", "note": "n", "items": [
        {"label": "n", "value": 1234567}, {"label": "m", "value": 0.0857, "tone": 0.0857},
        {"label": "s", "value": "en", "unit": "%", "note": "nb"}, {"label": "x", "value": [1]}]}],
    "histogram": [{"type": "histogram", "diverging": True, "x_label": "x", "bins": [
        {"from": -1, "to": 0, "count": 2}, {"from": 0, "to": 1, "count": 1e300},
        {"from": "a", "count": -1}, 3]}],
    "timeline": [{"type": "timeline", "y_label": "y", "points": [
        {"x": 1, "y": 5, "count": 2}, {"x": 2, "y": None}, {"x": "2024-05-01T06:00:00Z", "y": 7},
        {"x": [], "y": "a"}]}],
    "timeline-diverging": [{"type": "timeline", "diverging": True, "points": [
        {"x": "2024-05-01T00:00:00Z", "y": 0.5}, {"x": "2024-05-02T06:00:00Z", "y": -0.25}]}],
    "quotes": [{"type": "quotes", "items": [{"text": "a <b> & c", "score": 0.5, "tone": 0.5,
                                             "record": 12, "line": 1300}]},
               {"type": "quotes", "skip_quoted": True, "items": [{"text": "again", "record": 12},
                                                                 {"text": 3}]}],
    "bars": [{"type": "bars", "unit": "u", "items": [{"label": "a", "value": 10, "tone": -1},
                                                     {"label": "b", "value": 5}, {"value": 1}]}],
    "table": [{"type": "table", "columns": ["a", "b", 3], "rows": [["x", 1, True], [None], 7,
                                                                    [{"o": 1}]]}],
    "unknown": [{"type": "sankey", "flows": [{"from": "a", "n": 2}]}, {"title": "no type"}, 5],
}
for name, value in blocks.items():
    write("report", f"blocks-{name}.json",
          json.dumps({"sections": {"s": {"blocks": value}}}).encode())
write("report", "no-blocks.json", json.dumps({"sections": {"s": {
    "n": 1, "list": [1, "a"], "rows": [{"a": 1}, {"b": {"c": 2}}], "deep": {"x": {"y": [1]}}},
    "t": {"blocks": "not an array"}}}).encode())
