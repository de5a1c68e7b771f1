/* plugins/summary/summary_readable.h - how well a sentence reads when it is quoted alone in the
 * report (the digest, each theme's sentences, the positive and negative points). English cues
 * only, on the sentence's text:
 *   - a list item: a list marker first ("- Rishi trying to clear the mess up", "2) cheap",
 *     "b) the pool", "• clean");
 *   - truncated: the start or the end of a clause was cut off: it begins with a comma, semicolon,
 *     colon or closing bracket (", The screen is easy on the eyes") or with a lowercase "and",
 *     "but" or "or" ("and the sound is great"), or it ends on a word no clause ends on
 *     ("the", "and", "of", "because", "my", ...: "The video camera works and the"), or, without
 *     closing punctuation, on an auxiliary, preposition or subject pronoun ("The battery life on
 *     this thing really is"), or on "and", "but" or "or" and a subject ("..., but it ?");
 *   - a fragment: no finite verb ("good read, thanks");
 *   - a sentence: a finite verb, i.e. an auxiliary, copula or modal ("is", "was", "can",
 *     "don't", "it's"); a subject pronoun followed by another word; "it", "this", "that", "which"
 *     or "who" followed by a third-person -s ("it locks"); a common verb in its third-person or
 *     past form ("looks", "works", "got", "made"); a word of five letters or more ending in "ed"
 *     after the first word; or a first "Its" that is "it's" misspelt: followed by a determiner,
 *     an adverb or an adjective ("Its a great device", "Its very light", "Its amazing"), not by
 *     a noun ("Its battery").
 * Separately, a first-person anecdote ("We booked it through the agency", "When I arrived, ..."):
 * "I" or "we" opening a clause (first, after punctuation or after "and", "when", ...), then at
 * most one adverb, then a past-tense verb other than one of attitude ("I loved it" is an
 * opinion; "the price we paid was fair" is not a story). It tells one person's story rather than
 * what the stream says. The digest and theme sentences prefer readable ones; the others are still
 * quoted when nothing else competes. */
#ifndef TEXTPIPE_SUMMARY_READABLE_H
#define TEXTPIPE_SUMMARY_READABLE_H

#include <stddef.h>

/* The factors a sentence's relevance is multiplied by when the quotes are picked: a list item,
 * a fragment or truncated clause, a first-person anecdote (multiplies with the others). */
#define SUMMARY_LIST_FACTOR      0.5
#define SUMMARY_FRAGMENT_FACTOR  0.8
#define SUMMARY_TRUNCATED_FACTOR 0.8
#define SUMMARY_ANECDOTE_FACTOR  0.9

typedef enum summary_reading {
  SUMMARY_LIST_ITEM = 0,
  SUMMARY_FRAGMENT = 1,
  SUMMARY_SENTENCE = 2,
  SUMMARY_TRUNCATED = 3,
} summary_reading;

/* How the `length` bytes at `text` read (see above). */
summary_reading summary_readable(const char *text, size_t length);

/* The factor of the quotes' choice for that reading. */
double summary_reading_factor(summary_reading reading);

/* 1 when the `length` bytes at `text` tell a first-person anecdote (see above), else 0. */
int summary_anecdote(const char *text, size_t length);

/* The factor a sentence's relevance is multiplied by when it competes to be quoted: its
 * reading's factor, times SUMMARY_ANECDOTE_FACTOR for an anecdote. In (0, 1]. */
double summary_quote_factor(const char *text, size_t length);

#endif /* TEXTPIPE_SUMMARY_READABLE_H */
