/* plugins/theme/weak_words.c - the words too vague or too generic to stand as a keyphrase or
 * name a theme (labels.h: th_weak_word, th_weak_phrase, th_reporting_word, th_title_word), and
 * the bit filter that answers "not listed" for most words without reading the lists. */
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "labels.h"

/* Single words too vague to name a theme: modal and light verbs, fillers, generic nouns. Each
 * with its length, so that a lookup (made for every lone-word phrase of every record) compares
 * bytes only for words of the same length. */
#define WEAK(word)                                                                                 \
  { word, sizeof(word) - 1 }
static const struct {
  const char *text;
  size_t length;
} weak_words[] = {
    WEAK("also"),
    WEAK("another"),
    WEAK("bit"),
    WEAK("come"),
    WEAK("could"),
    WEAK("even"),
    WEAK("get"),
    WEAK("gets"),
    WEAK("getting"),
    WEAK("go"),
    WEAK("going"),
    WEAK("got"),
    WEAK("just"),
    WEAK("know"),
    WEAK("like"),
    WEAK("lot"),
    WEAK("lots"),
    WEAK("make"),
    WEAK("makes"),
    WEAK("many"),
    WEAK("may"),
    WEAK("mean"),
    WEAK("means"),
    WEAK("might"),
    WEAK("much"),
    WEAK("must"),
    WEAK("need"),
    WEAK("one"),
    WEAK("ones"),
    WEAK("quite"),
    WEAK("really"),
    WEAK("said"),
    WEAK("say"),
    WEAK("says"),
    WEAK("see"),
    WEAK("still"),
    WEAK("sure"),
    WEAK("take"),
    WEAK("thing"),
    WEAK("things"),
    WEAK("think"),
    WEAK("use"),
    WEAK("used"),
    WEAK("want"),
    WEAK("way"),
    WEAK("ways"),
    WEAK("well"),
    WEAK("would"),
    WEAK("yes"),
    /* interjections and politeness: how people talk, not what about */
    WEAK("hey"),
    WEAK("lol"),
    WEAK("oh"),
    WEAK("ok"),
    WEAK("okay"),
    WEAK("omg"),
    WEAK("please"),
    WEAK("thank"),
    WEAK("thanks"),
    WEAK("wow"),
    WEAK("yay"),
    WEAK("yeah"),
};

/* Words that say someone spoke, or name a person's title: frequent in news and forum text,
 * never the subject. A reporting verb at either end of a phrase ("said mr", "blair said")
 * makes it weak, as does a title at its end ("minister mr"); a title first ("mr blair")
 * names someone and stays. */
static const struct {
  const char *text;
  size_t length;
} reporting_words[] =
    {
        WEAK("according"), WEAK("added"),  WEAK("adds"),     WEAK("announced"), WEAK("asked"),
        WEAK("asks"),      WEAK("claim"),  WEAK("claimed"),  WEAK("claims"),    WEAK("commented"),
        WEAK("explained"), WEAK("noted"),  WEAK("reported"), WEAK("reports"),   WEAK("said"),
        WEAK("say"),       WEAK("saying"), WEAK("says"),     WEAK("stated"),    WEAK("states"),
        WEAK("tell"),      WEAK("tells"),  WEAK("told"),     WEAK("wrote"),     WEAK("write"),
        WEAK("writes"),
},
  titles[] = {
      WEAK("dr"),  WEAK("miss"), WEAK("mr"),   WEAK("mrs"), WEAK("ms"), WEAK("prof"),
      WEAK("sir"), WEAK("lord"), WEAK("lady"), WEAK("st"),  WEAK("jr"), WEAK("sr"),
};
#undef WEAK

/* Whether `length` bytes at `text` are one of the `count` words of `list`. */
#define IN_LIST(list, text, length) in_list((list), sizeof(list) / sizeof((list)[0]), text, length)
static int in_list(const void *list_pointer, size_t count, const char *text, size_t length) {
  const struct {
    const char *text;
    size_t length;
  } *list = list_pointer;
  for (size_t w = 0; w < count; w++)
    if (list[w].length == length && memcmp(list[w].text, text, length) == 0)
      return 1;
  return 0;
}

int th_reporting_word(const char *text, size_t length) {
  return IN_LIST(reporting_words, text, length);
}

int th_title_word(const char *text, size_t length) {
  return IN_LIST(titles, text, length);
}

const char *th_weak_word_at(size_t index) {
  size_t weak = sizeof weak_words / sizeof weak_words[0];
  size_t reporting = sizeof reporting_words / sizeof reporting_words[0];
  size_t title_count = sizeof titles / sizeof titles[0];
  if (index < weak)
    return weak_words[index].text;
  index -= weak;
  if (index < reporting)
    return reporting_words[index].text;
  index -= reporting;
  return index < title_count ? titles[index].text : NULL;
}

/* The filter in front of the lists: most words th_weak_word sees (every one-word keyphrase
 * candidate of every record) are in none of them, and a scan of the lists compares lengths
 * a hundred times to say so. One bit per filter key (the word's length and its first, second
 * and last bytes, mixed) is set for every listed word, so a clear bit proves a word is not
 * listed and the lists are read only for the few that pass (listed words and about 3% of the
 * others). Filled at load time (a constructor, before any thread can call th_weak_word) from
 * the lists themselves, so it can never miss a word added to them. (th_word_shape: common.h.) */
#define WEAK_FILTER_BITS 4096
static uint64_t weak_filter[WEAK_FILTER_BITS / 64];

static uint32_t weak_filter_key(const char *text, size_t length) {
  return th_word_shape(text, length) & (WEAK_FILTER_BITS - 1);
}

static int weak_filter_passes(const char *text, size_t length) {
  if (length == 0)
    return 0; /* no listed word is empty */
  uint32_t key = weak_filter_key(text, length);
  return (int)(weak_filter[key / 64] >> (key % 64)) & 1;
}

__attribute__((constructor)) static void weak_filter_build(void) {
  const char *word;
  for (size_t i = 0; (word = th_weak_word_at(i)) != NULL; i++) {
    uint32_t key = weak_filter_key(word, strlen(word));
    weak_filter[key / 64] |= (uint64_t)1 << (key % 64);
  }
}

int th_weak_word_listed(const char *text, size_t length) {
  return IN_LIST(weak_words, text, length) || th_reporting_word(text, length) ||
         th_title_word(text, length);
}

int th_weak_word(const char *text, size_t length) {
  return weak_filter_passes(text, length) && th_weak_word_listed(text, length);
}

int th_weak_phrase(const char *text, size_t length) {
  size_t first_end = 0, last_start = 0;
  while (first_end < length && text[first_end] != ' ')
    first_end++;
  for (size_t at = 0; at < length; at++)
    if (text[at] == ' ')
      last_start = at + 1;
  if (first_end == length) /* one word */
    return th_weak_word(text, length);
  size_t last_length = length - last_start;
  /* a filler, reporting verb or title last, or a filler or reporting verb first ("yay
   * parking", "said mr", "blair said", "minister mr"); a title first names someone */
  return th_weak_word(text + last_start, last_length) ||
         (th_weak_word(text, first_end) && !th_title_word(text, first_end));
}
