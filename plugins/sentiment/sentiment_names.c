/* sentiment_names.c - pass 1c of the scorer: sentiment words inside proper names carry none.
 *
 * "Compare that with the United States." says nothing good of anything, though "united" is a
 * positive word in the lexicon. A Capitalized word in mid-clause, next to another one, is read
 * as part of a name, unless the clause is a headline or a greeting in Title Case or in capitals.
 */
#include "sentiment_items.h"

#include <ctype.h>

/* Whether item i opens its clause (or sentence): no word before it in the clause. */
static int sx_opens_clause(const sx_item *items, size_t i) {
  return i == 0 || items[i - 1].clause != items[i].clause ||
         items[i - 1].sentence != items[i].sentence;
}

/* Whether item i may continue a name: a word right after another word of its clause (not
 * after a mark, a mention or a quote, where capitals start something new). */
static int sx_continues(const tp_text *text, const sx_item *items, size_t i) {
  size_t index = items[i].number;
  return !sx_opens_clause(items, i) && index > 0 &&
         TP_TEXT_TOKEN(text, index - 1)->type == TP_TOKEN_WORD;
}

/* Whether item i is a Capitalized word (Britain, not BRITAIN or britain). */
static int sx_capitalized(const sx_item *items, size_t i) {
  return items[i].token->type == TP_TOKEN_WORD && (items[i].token->flags & TP_TOKEN_CAPITALIZED);
}

/* Whether the clause of item i is written in Title Case (a headline, a title, a greeting): its
 * first word starts with a capital and no other word of it starts lower case, short stopwords
 * (of, the, and, in...) aside ("Lord of the Rings Is Great", "Happy Birthday Sir"). */
static int sx_title_clause(const tp_text *text, const sx_item *items, size_t item_count, size_t i) {
  size_t first = i;
  while (!sx_opens_clause(items, first)) {
    first--;
  }
  for (size_t k = first; k < item_count && (k == first || !sx_opens_clause(items, k)); k++) {
    const tp_token *token = items[k].token;
    if (token->type != TP_TOKEN_WORD || (token->flags & TP_TOKEN_ALL_CAPS)) {
      continue;
    }
    unsigned char initial = (unsigned char)text->text[token->start];
    int minor = token->norm_length <= 3 && (token->flags & TP_TOKEN_STOPWORD);
    if (islower(initial) && (k == first || !minor)) {
      return 0;
    }
  }
  return 1;
}

/* Pass 1c: proper names. A sentiment word written Capitalized inside a run of Capitalized words
 * in mid-clause ("the United States", "in Great Britain", "the Liberal Democrats") is part of a
 * name and says nothing of the writer's opinion: its valence is dropped. The first word of a
 * clause is Capitalized anyway and keeps its valence ("Great product."), and so does every word
 * of a clause written in Title Case (see sx_title_clause) or ALL CAPS, where capitals do not
 * mark names. */
void sx_drop_names(const tp_text *text, sx_item *items, size_t item_count, const sx_span *span) {
  if (span->capitalized == 0) {
    return;
  }
  uint32_t title_checked = UINT32_MAX;
  int title = 0;
  for (size_t c = 0; c < span->candidate_count; c++) {
    size_t i = span->candidates[c];
    if (items[i].valence == 0 || !sx_capitalized(items, i) || !sx_continues(text, items, i) ||
        (i + 1 < item_count && (items[i + 1].flags & SX_ITEM_CONSUMED))) {
      continue; /* not a name word, the clause's first word, or a matched phrase */
    }
    int before = sx_capitalized(items, i - 1) && sx_continues(text, items, i - 1);
    int after =
        i + 1 < item_count && sx_continues(text, items, i + 1) && sx_capitalized(items, i + 1);
    if (!before && !after) {
      continue;
    }
    if (items[i].clause != title_checked) {
      title_checked = items[i].clause;
      title = sx_title_clause(text, items, item_count, i);
    }
    if (!title) {
      items[i].valence = 0;
    }
  }
}
