/* plugins/summary/summary_readable.c - list items, truncated clauses, fragments and anecdotes
 * against sentences (see summary_readable.h): scans of the sentence's words, runs of lowercased
 * ASCII letters, digits and apostrophes (the typographic one too). */
#include "summary_readable.h"

#include <string.h>

/* Auxiliaries, copulas and modals, and contractions that carry one. */
static const char *const finite_words[] = {
    "am",      "are",      "aren't",  "be",      "been",    "can",     "can't",     "cannot",
    "could",   "couldn't", "did",     "didn't",  "do",      "does",    "doesn't",   "don't",
    "had",     "hadn't",   "has",     "hasn't",  "have",    "haven't", "he'd",      "he's",
    "i'd",     "i'll",     "i'm",     "i've",    "is",      "isn't",   "it'll",     "it's",
    "may",     "might",    "must",    "shall",   "she's",   "should",  "shouldn't", "that's",
    "there's", "they'd",   "they'll", "they're", "they've", "was",     "wasn't",    "we'd",
    "we'll",   "we're",    "we've",   "were",    "weren't", "what's",  "will",      "won't",
    "would",   "wouldn't", "you'd",   "you'll",  "you're",  "you've",  NULL};

/* Subject pronouns: followed by another word they make a clause ("I love it"). */
static const char *const subjects[] = {"i", "you", "he", "she", "we", "they", NULL};

/* Pronouns that are subjects or objects ("it locks on", "about it quickly"): a clause when the
 * next word, or the one after an -ly adverb, has a third-person -s ("it locks", "which
 * really helps"). */
static const char *const singular_subjects[] = {"it", "this", "that", "which", "who", NULL};

/* Common verbs in their third-person forms, and in their irregular past forms. */
static const char *const present_forms[] = {
    "asks",   "becomes", "begins", "breaks", "comes",  "costs", "drains", "feels",  "finds",
    "fits",   "gets",    "gives",  "goes",   "helps",  "holds", "keeps",  "knows",  "lasts",
    "leaves", "likes",   "looks",  "loves",  "makes",  "means", "needs",  "offers", "provides",
    "runs",   "says",    "seems",  "sees",   "sells",  "shows", "sits",   "smells", "sounds",
    "stands", "stays",   "takes",  "tells",  "thinks", "turns", "wants",  "works",  NULL};
static const char *const past_forms[] = {
    "arrived", "became", "bought", "brought", "came", "felt",  "found", "gave",
    "got",     "grew",   "kept",   "knew",    "left", "made",  "met",   "paid",
    "put",     "ran",    "said",   "sat",     "saw",  "sent",  "stood", "thought",
    "told",    "took",   "tried",  "went",    "won",  "wrote", NULL};

/* Words no clause ends on: articles and possessive determiners, conjunctions, "of", "than" and
 * a degree adverb. */
static const char *const never_last[] = {"a",     "an",   "the",  "my",      "your",     "our",
                                         "their", "its",  "and",  "or",      "but",      "nor",
                                         "of",    "than", "very", "because", "although", NULL};

/* Words a clause seldom ends on: it does when punctuation closes it ("That's what it is."), so
 * they end a truncated clause only when none does. */
static const char *const seldom_last[] = {
    "is",   "was",   "are", "were", "be",  "been", "has", "have", "had",   "can",
    "will", "would", "to",  "with", "for", "from", "at",  "in",   "on",    "by",
    "into", "i",     "we",  "they", "he",  "she",  "if",  "when", "while", NULL};

/* Starts of a sentence cut from a longer one, when written in lowercase ("and the sound ..."). */
static const char *const continuations[] = {"and", "but", "or", NULL};

/* After a first "its", the words of "it's" misspelt, which no noun of a possessive "its" is:
 * determiners, prepositions, negation and degree words, and common adjectives (more are found
 * by their endings: its_contraction_cue). */
static const char *const its_cues[] = {
    "in", "on", "at", "for", "about", "a", "an", "the", "not", "no", "so", "very", "really", "too",
    "pretty", "quite", "just", "also", "still", "always", "never", "been", "got", "all", "only",
    "much", "more", "less", "worth", "like", "great", "good", "nice", "easy", "fast", "small",
    "big", "light", "cheap", "perfect", "fine", "ok", "okay", "bad", "hard", "better", "best",
    "worse", "fun", "cool", "simple", "clear", "quick", "slow", "huge", "tiny", "loud", "quiet",
    "heavy", "new", "old", "sharp", "bright", "clean", "comfortable",
    /* participles of feeling used as adjectives (other -ing words are nouns: "its packaging") */
    "amazing", "annoying", "interesting", "disappointing", "stunning", "confusing", "frustrating",
    "surprising", "charming", "boring", NULL};

/* Past forms of attitude, not of events: "I loved it" is an opinion, not an anecdote. */
static const char *const attitudes[] = {"liked",    "loved",       "enjoyed",   "hated",
                                        "disliked", "appreciated", "preferred", "expected",
                                        "wished",   "hoped",       "wanted",    NULL};

static int in_list(const char *const *list, const char *word) {
  for (size_t i = 0; list[i]; i++) /* the first letters first: most words differ there */
    if (list[i][0] == word[0] && strcmp(list[i], word) == 0)
      return 1;
  return 0;
}

static int ends_with(const char *word, size_t length, const char *suffix) {
  size_t suffix_length = strlen(suffix);
  return length > suffix_length &&
         memcmp(word + length - suffix_length, suffix, suffix_length) == 0;
}

/* An -ly adverb ("really", "quickly"; not "fly"). */
static int adverb(const char *word, size_t length) {
  return length >= 4 && ends_with(word, length, "ly");
}

/* A verb's third-person form: three letters or more ending in "s" but not "ss", "us" or "is"
 * ("locks", "goes", "fixes"; not "less", "bonus", "this"). */
static int third_person(const char *word, size_t length) {
  if (length < 3 || word[length - 1] != 's')
    return 0;
  char before = word[length - 2];
  return before != 's' && before != 'u' && before != 'i' && before != '\'';
}

/* A word of five letters or more ending in "ed" (a past form or participle: "cleaned"), or
 * "used", but not one of the common words that only end like one ("speed", "hundred"). */
static int ed_form(const char *word, size_t length) {
  static const char *const not_past[] = {"speed",   "indeed", "exceed", "proceed", "succeed",
                                         "hundred", "wicked", "naked",  "sacred",  NULL};
  if (strcmp(word, "used") == 0)
    return 1;
  return length >= 5 && ends_with(word, length, "ed") && !in_list(not_past, word);
}

/* A word after a first "its" that makes it "it's": an its_cues word, an -ly adverb or an
 * adjective ending ("its useful", "its affordable"). */
static int its_contraction_cue(const char *word, size_t length) {
  static const char *const endings[] = {"ful", "ous", "ive", "able", "ible", NULL};
  if (in_list(its_cues, word) || adverb(word, length))
    return 1;
  for (size_t i = 0; endings[i]; i++)
    if (length >= strlen(endings[i]) + 2 && ends_with(word, length, endings[i]))
      return 1;
  return 0;
}

/* ---- Words ------------------------------------------------------------------------------ */

typedef struct word_scan {
  const char *text;
  size_t length, at;
  char word[32]; /* lowercased, NUL-terminated; longer words are cut */
  size_t word_length;
  size_t start;    /* offset of the word's first byte in text */
  int after_break; /* punctuation (",;:.!?()") between the previous word and this one */
} word_scan;

/* Moves to the next word; 1 if there is one (in scan->word), 0 at the end of the text. */
static int next_word(word_scan *scan) {
  scan->word_length = 0;
  scan->after_break = 0;
  for (; scan->at <= scan->length; scan->at++) {
    size_t at = scan->at;
    unsigned char c = at < scan->length ? (unsigned char)scan->text[at] : ' ';
    int apostrophe = c == '\'';
    int typographic = c == 0xe2 && at + 2 < scan->length &&
                      (unsigned char)scan->text[at + 1] == 0x80 &&
                      (unsigned char)scan->text[at + 2] == 0x99; /* ’ */
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        ((apostrophe || typographic) && scan->word_length > 0)) {
      if (scan->word_length == 0)
        scan->start = at;
      if (scan->word_length < sizeof scan->word - 1) /* | 0x20 lowercases, keeps digits */
        scan->word[scan->word_length++] = apostrophe || typographic ? '\'' : (char)(c | 0x20);
      if (typographic)
        scan->at += 2;
      continue;
    }
    if (typographic)
      scan->at += 2;
    if (scan->word_length == 0 && c != '\0' && strchr(",;:.!?()", c) != NULL)
      scan->after_break = 1;
    if (scan->word_length > 0) {
      scan->word[scan->word_length] = '\0';
      return 1;
    }
  }
  return 0;
}

static void scan_start(word_scan *scan, const char *text, size_t length) {
  memset(scan, 0, sizeof *scan);
  scan->text = text;
  scan->length = length;
}

/* ---- Readings --------------------------------------------------------------------------- */

static size_t skip_spaces(const char *text, size_t length, size_t at) {
  while (at < length && (text[at] == ' ' || text[at] == '\t'))
    at++;
  return at;
}

/* A list marker first: a dash, bullet, asterisk, "+" or ">"; or digits then "." or ")", or one
 * letter then ")", followed by a space or nothing ("2. ", "2) ", "b) "). */
static int list_item(const char *text, size_t length) {
  size_t at = skip_spaces(text, length, 0);
  if (at == length)
    return 0;
  unsigned char first = (unsigned char)text[at];
  if (first == '-' || first == '*' || first == '>' || first == '+')
    return 1;
  if (first == 0xe2 && at + 2 < length && (unsigned char)text[at + 1] == 0x80 &&
      ((unsigned char)text[at + 2] == 0xa2 || (unsigned char)text[at + 2] == 0x93 ||
       (unsigned char)text[at + 2] == 0x94)) /* "•", "–", "—" */
    return 1;
  if (first == 0xc2 && at + 1 < length && (unsigned char)text[at + 1] == 0xb7) /* "·" */
    return 1;
  size_t digits = at;
  while (digits < length && text[digits] >= '0' && text[digits] <= '9')
    digits++;
  int letter = digits == at && ((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'));
  size_t marker = letter ? at + 1 : digits;
  return marker > at && marker < length &&
         (text[marker] == ')' || (!letter && text[marker] == '.')) &&
         (marker + 1 == length || text[marker + 1] == ' ');
}

/* The start was cut off: a comma, semicolon, colon or closing bracket first, or a lowercase
 * continuation word ("and the sound ..."). `first` is the scan of the first word. */
static int cut_start(const char *text, size_t length, const word_scan *first) {
  size_t at = skip_spaces(text, length, 0);
  if (at < length && strchr(",;:)]", text[at]) != NULL)
    return 1;
  return first->word_length > 0 && first->text[first->start] >= 'a' &&
         first->text[first->start] <= 'z' && in_list(continuations, first->word);
}

/* Punctuation closes the text: its last byte that is not a space is not a letter or digit. */
static int closed(const char *text, size_t length) {
  while (length > 0 && (text[length - 1] == ' ' || text[length - 1] == '\t'))
    length--;
  if (length == 0)
    return 0;
  unsigned char last = (unsigned char)text[length - 1];
  return !((last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z') ||
           (last >= '0' && last <= '9'));
}

/* The end was cut off: the last word is one no clause ends on, or, when no punctuation closes
 * the text, one a clause seldom ends on, or a clause opened by "and", "but" or "or" stops at its
 * subject ("..., but it ?"). */
static int cut_end(const char *text, size_t length, const char *before_last,
                   const char *last_word) {
  static const char *const dangling[] = {"it", "i", "we", "they", "he", "she", "this", NULL};
  return in_list(never_last, last_word) ||
         (!closed(text, length) && in_list(seldom_last, last_word)) ||
         (in_list(continuations, before_last) && in_list(dangling, last_word));
}

double summary_reading_factor(summary_reading reading) {
  switch (reading) {
  case SUMMARY_SENTENCE:
    return 1.0;
  case SUMMARY_FRAGMENT:
    return SUMMARY_FRAGMENT_FACTOR;
  case SUMMARY_TRUNCATED:
    return SUMMARY_TRUNCATED_FACTOR;
  case SUMMARY_LIST_ITEM:
  default:
    return SUMMARY_LIST_FACTOR;
  }
}

summary_reading summary_readable(const char *text, size_t length) {
  if (list_item(text, length))
    return SUMMARY_LIST_ITEM;
  word_scan scan;
  scan_start(&scan, text, length);
  if (!next_word(&scan))
    return cut_start(text, length, &scan) ? SUMMARY_TRUNCATED : SUMMARY_FRAGMENT;
  if (cut_start(text, length, &scan))
    return SUMMARY_TRUNCATED;
  int finite = 0, first_its = strcmp(scan.word, "its") == 0;
  int previous_subject = 0, previous_singular = 0;
  size_t words = 0;
  char last[sizeof scan.word] = "", before_last[sizeof scan.word];
  do {
    const char *word = scan.word;
    size_t word_length = scan.word_length;
    if (previous_subject || in_list(finite_words, word) || in_list(present_forms, word) ||
        in_list(past_forms, word) || (words > 0 && ed_form(word, word_length)) ||
        (previous_singular && third_person(word, word_length)) ||
        (words == 1 && first_its && its_contraction_cue(word, word_length)))
      finite = 1;
    previous_singular =
        in_list(singular_subjects, word) || (previous_singular && adverb(word, word_length));
    previous_subject = in_list(subjects, word);
    memcpy(before_last, last, sizeof last);
    memcpy(last, word, word_length + 1);
    words++;
  } while (next_word(&scan));
  if (cut_end(text, length, before_last, last))
    return SUMMARY_TRUNCATED;
  return finite ? SUMMARY_SENTENCE : SUMMARY_FRAGMENT;
}

/* ---- Anecdotes -------------------------------------------------------------------------- */

static int past_event(const char *word, size_t length) {
  return !in_list(attitudes, word) &&
         (in_list(past_forms, word) || strcmp(word, "had") == 0 || ed_form(word, length));
}

/* Words after which a clause starts ("and we booked", "when I arrived"); a clause starts also
 * at the first word and after punctuation. "I" or "we" elsewhere is in a relative clause ("the
 * price we paid was fair") or after a main clause of opinion ("Glad I updated"). */
static const char *const clause_openers[] = {
    "and",   "but", "so",    "then",  "when", "after",    "before",    "because",
    "since", "as",  "while", "until", "once", "recently", "yesterday", NULL};

int summary_anecdote(const char *text, size_t length) {
  static const char *const narrators[] = {"i", "we", "i've", "we've", NULL};
  static const char *const adverbs[] = {"just",  "also", "then", "first",    "finally", "once",
                                        "never", "even", "only", "actually", NULL};
  word_scan scan;
  scan_start(&scan, text, length);
  int after_narrator = 0, adverb_seen = 0, clause_start = 1;
  while (next_word(&scan)) {
    clause_start = clause_start || scan.after_break;
    if (after_narrator) {
      if (past_event(scan.word, scan.word_length))
        return 1;
      if (!adverb_seen && (in_list(adverbs, scan.word) || adverb(scan.word, scan.word_length))) {
        adverb_seen = 1;
        continue;
      }
    }
    after_narrator = clause_start && in_list(narrators, scan.word);
    adverb_seen = 0;
    clause_start = in_list(clause_openers, scan.word);
  }
  return 0;
}

double summary_quote_factor(const char *text, size_t length) {
  double factor = summary_reading_factor(summary_readable(text, length));
  return summary_anecdote(text, length) ? factor * SUMMARY_ANECDOTE_FACTOR : factor;
}
