/* plugins/summary/summary_readable.c - list items and fragments against sentences (see
 * summary_readable.h): a scan of the sentence's words, lowercased ASCII letters and
 * apostrophes (the typographic one too). */
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

/* Common verbs in their third-person or irregular past forms. */
static const char *const verb_forms[] = {
    "arrived", "asks",    "became", "becomes", "begins", "bought", "breaks",   "brought", "came",
    "comes",   "costs",   "drains", "feels",   "felt",   "finds",  "fits",     "found",   "gave",
    "gets",    "gives",   "goes",   "got",     "grew",   "helps",  "holds",    "keeps",   "kept",
    "knew",    "knows",   "lasts",  "leaves",  "left",   "likes",  "looks",    "loves",   "made",
    "makes",   "means",   "met",    "needs",   "offers", "paid",   "provides", "put",     "ran",
    "runs",    "said",    "sat",    "saw",     "says",   "seems",  "sees",     "sells",   "sent",
    "shows",   "sits",    "smells", "sounds",  "stands", "stays",  "stood",    "takes",   "tells",
    "thinks",  "thought", "told",   "took",    "tried",  "turns",  "wants",    "went",    "won",
    "works",   "wrote",   NULL};

static int in_list(const char *const *list, const char *word) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(list[i], word) == 0)
      return 1;
  return 0;
}

/* A verb's third-person form: three letters or more ending in "s" but not "ss", "us" or "is"
 * ("locks", "goes", "fixes"; not "less", "bonus", "this"). */
static int third_person(const char *word, size_t length) {
  if (length < 3 || word[length - 1] != 's')
    return 0;
  char before = word[length - 2];
  return before != 's' && before != 'u' && before != 'i' && before != '\'';
}

/* A list marker first: a dash, bullet, asterisk or ">", or digits then "." or ")". */
static int list_item(const char *text, size_t length) {
  size_t at = 0;
  while (at < length && (text[at] == ' ' || text[at] == '\t'))
    at++;
  if (at == length)
    return 0;
  unsigned char first = (unsigned char)text[at];
  if (first == '-' || first == '*' || first == '>' || first == '+')
    return 1;
  if (first == 0xe2 && at + 2 < length && (unsigned char)text[at + 1] == 0x80 &&
      ((unsigned char)text[at + 2] == 0xa2 || (unsigned char)text[at + 2] == 0x93 ||
       (unsigned char)text[at + 2] == 0x94)) /* "•", "–", "—" */
    return 1;
  size_t digits = at;
  while (digits < length && text[digits] >= '0' && text[digits] <= '9')
    digits++;
  return digits > at && digits < length && (text[digits] == '.' || text[digits] == ')') &&
         (digits + 1 == length || text[digits + 1] == ' ');
}

double summary_reading_factor(summary_reading reading) {
  return reading == SUMMARY_SENTENCE   ? 1.0
         : reading == SUMMARY_FRAGMENT ? SUMMARY_FRAGMENT_FACTOR
                                       : SUMMARY_LIST_FACTOR;
}

summary_reading summary_readable(const char *text, size_t length) {
  if (list_item(text, length))
    return SUMMARY_LIST_ITEM;
  char word[32];
  size_t word_length = 0, words = 0;
  int previous_subject = 0, previous_singular = 0;
  for (size_t at = 0; at <= length; at++) {
    unsigned char c = at < length ? (unsigned char)text[at] : ' ';
    int apostrophe = c == '\'';
    if (c == 0xe2 && at + 2 < length && (unsigned char)text[at + 1] == 0x80 &&
        (unsigned char)text[at + 2] == 0x99) { /* ’ */
      apostrophe = 1;
      at += 2;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (apostrophe && word_length > 0)) {
      if (word_length < sizeof word - 1)
        word[word_length++] = apostrophe ? '\'' : (char)(c | 0x20);
      continue;
    }
    if (word_length == 0)
      continue;
    word[word_length] = '\0';
    if (previous_subject || in_list(finite_words, word) || in_list(verb_forms, word) ||
        (words > 0 && word_length >= 5 && word[word_length - 2] == 'e' &&
         word[word_length - 1] == 'd') ||
        (previous_singular && third_person(word, word_length)))
      return SUMMARY_SENTENCE;
    int adverb = word_length >= 4 && word[word_length - 2] == 'l' && word[word_length - 1] == 'y';
    previous_singular = in_list(singular_subjects, word) || (previous_singular && adverb);
    previous_subject = in_list(subjects, word);
    words++;
    word_length = 0;
  }
  return SUMMARY_FRAGMENT;
}
