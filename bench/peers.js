// bench/peers.js - the peer sentiment scorers that bench/pipeline_speed.sh times against textpipe.
//
//   node bench/peers.js afinn|vader PEERS_DIR INPUT.ndjson > enriched.ndjson
//
// PEERS_DIR holds node_modules/ with the npm packages `sentiment` (AFINN-165 word sums) and
// `vader-sentiment` (VADER's JavaScript port), installed outside the repository:
//   mkdir -p /tmp/peers && (cd /tmp/peers && npm install sentiment vader-sentiment)
// Each NDJSON record is parsed, its "text" scored, the score added to the record and the record
// written back as one NDJSON line: the same read, parse, enrich, print and write a textpipe run
// does, so the two throughputs compare like for like.
"use strict";
const fs = require("fs");
const path = require("path");

const [scorerName, peersDir, inputPath] = process.argv.slice(2);
if (!scorerName || !peersDir || !inputPath) {
  process.stderr.write("usage: node bench/peers.js afinn|vader PEERS_DIR INPUT.ndjson\n");
  process.exit(2);
}
const modules = path.resolve(peersDir, "node_modules");

function makeScorer(name) {
  if (name === "afinn") {
    const Sentiment = require(path.join(modules, "sentiment"));
    const analyzer = new Sentiment();
    return (text) => {
      const result = analyzer.analyze(text);
      return { score: result.score, comparative: result.comparative };
    };
  }
  if (name === "vader") {
    const vader = require(path.join(modules, "vader-sentiment"));
    return (text) => vader.SentimentIntensityAnalyzer.polarity_scores(text);
  }
  process.stderr.write("bench/peers.js: unknown scorer " + name + " (afinn or vader)\n");
  process.exit(2);
}

const score = makeScorer(scorerName);
const lines = fs.readFileSync(inputPath, "utf8").split("\n");
const chunk = [];
for (const line of lines) {
  if (line.length === 0) continue;
  const record = JSON.parse(line);
  record.sentiment = score(String(record.text));
  chunk.push(JSON.stringify(record));
  if (chunk.length === 1024) {
    fs.writeSync(1, chunk.join("\n") + "\n");
    chunk.length = 0;
  }
}
if (chunk.length > 0) fs.writeSync(1, chunk.join("\n") + "\n");
