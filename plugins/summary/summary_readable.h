/* plugins/summary/summary_readable.h - whether a sentence reads as a sentence: not a list item
 * ("- Rishi trying to clear the mess up", "2) cheap"), and with a finite verb ("The room was
 * clean", "I love it", "It lasts all day") rather than a fragment ("good read, thanks").
 * English cues only, on the sentence's text: a list marker first; an auxiliary, copula or modal
 * ("is", "was", "can", "don't", "it's"); a subject pronoun followed by another word; "it",
 * "this", "that", "which" or "who" followed by a third-person -s ("it locks"); a common
 * verb in its third-person or past form ("looks", "works", "got", "made"); or a word of five
 * letters or more ending in "ed" after the first word. The digest and theme sentences prefer
 * readable ones; a fragment is still quoted when nothing else competes. */
#ifndef TEXTPIPE_SUMMARY_READABLE_H
#define TEXTPIPE_SUMMARY_READABLE_H

#include <stddef.h>

/* The factors a sentence's relevance is multiplied by when the digest is picked: a list item,
 * a fragment without a verb. */
#define SUMMARY_LIST_FACTOR     0.5
#define SUMMARY_FRAGMENT_FACTOR 0.8

typedef enum summary_reading {
  SUMMARY_LIST_ITEM = 0,
  SUMMARY_FRAGMENT = 1,
  SUMMARY_SENTENCE = 2,
} summary_reading;

/* How the `length` bytes at `text` read (see above). */
summary_reading summary_readable(const char *text, size_t length);

/* The factor of the digest's choice for that reading. */
double summary_reading_factor(summary_reading reading);

#endif /* TEXTPIPE_SUMMARY_READABLE_H */
