/* textpipe/keys.h - the record keys the built-in plugins provide, and the paths under them
 * that other stages read.
 *
 * A stage names other stages' keys in its descriptor (`requires_keys`, `uses`; plugin.h) with
 * these constants, so a reader and the writer agree on one spelling and `textpipe check` can
 * verify the pipeline's order. The JSON under each key is described in the plugin's README.
 */
#ifndef TEXTPIPE_KEYS_H
#define TEXTPIPE_KEYS_H

/* tokenize: the tp_text attachment (text.h), on every record; with the "emit" option also a
 * JSON object {"sentences": [...], "tokens": [...]} in the output. */
#define TP_KEY_TOKENS "tokens"

/* sentiment: {"compound", "positive", "negative", "neutral", "label", "sentences"?}. */
#define TP_KEY_SENTIMENT           "sentiment"
#define TP_KEY_SENTIMENT_COMPOUND  "sentiment.compound"  /* -1..1, the record's polarity */
#define TP_KEY_SENTIMENT_SENTENCES "sentiment.sentences" /* [{"start", "compound"}, ...] */

/* theme: taxonomy themes, keyphrases, and the online theme the record joined; its report
 * section lists the discovered themes ("discovered": [{"online_ids", ...}]). */
#define TP_KEY_THEMES     "themes"
#define TP_KEY_KEYPHRASES "keyphrases"
#define TP_KEY_THEME_ID   "theme_id"
/* with a model (apply mode): the cosine to the nearest theme; theme_id is null below its floor */
#define TP_KEY_THEME_SIMILARITY "theme_similarity"

/* summary: the record's summary sentence(s). */
#define TP_KEY_SUMMARY "summary"

#endif /* TEXTPIPE_KEYS_H */
