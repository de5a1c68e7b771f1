/* tests/plugins/tokenize/test_tokenizer.c - the tokenize engine on tables of tricky cases.
 *
 * One Suite ("tokenizer"), one TCase per behaviour of issue 3: token types, normalization and
 * stems, flags, sentence splitting, robustness, the word cache (same results as without one),
 * and lines of the bundled sample comments.
 * The engine is compiled in (tokenize_core); test_plugin.c loads the built .so instead.
 */
#include <check.h>
#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "tokenize_fixture.h"
#include "word_cache.h"

#define TABLE_SIZE(table) ((int)(sizeof(table) / sizeof((table)[0])))

typedef struct tokens_case {
  const char *text;
  const char *tokens; /* "type:text ..." */
} tokens_case;

static const tokens_case word_cases[] = {
    {"don't it's well-known o'clock", "word:don't word:it's word:well-known word:o'clock"},
    {"don’t I’ve rock'n'roll", "word:don’t word:I’ve word:rock'n'roll"},
    {"dogs' 'tis -well- --",
     "word:dogs punct:' punct:' word:tis punct:- word:well punct:- punct:--"},
    {"COVID-19 mp3 naïve café", "word:COVID-19 word:mp3 word:naïve word:café"},
    {"Mr. Smith, e.g. this; U.S. and U.K.", "word:Mr. word:Smith punct:, word:e.g. word:this "
                                            "punct:; word:U.S. word:and word:U.K."},
    {"I said no. No. 5 it is",
     "word:I word:said word:no punct:. word:No. number:5 word:it word:is"},
    {"中文字 ok", "word:中 word:文 word:字 word:ok"},
};

/* Words that the scanner's plain path (scanner_plain.c) ends itself, beside the ones it hands
 * to the general path (scan_word() in scanner.c): joined by ' or - between ASCII letters and
 * digits, before a final full stop, and their near misses (an abbreviation before the stop, a
 * joiner before a non-ASCII letter or at the end, a stop that an e-mail or a domain continues). */
static const tokens_case plain_word_cases[] = {
    {"don't. well-known, x-ray; abc-123) it's",
     "word:don't punct:. word:well-known punct:, word:x-ray punct:; word:abc-123 punct:) "
     "word:it's"},
    {"No. 5 but no. way; etc. And Inc. We e.g. this",
     "word:No. number:5 word:but word:no punct:. word:way punct:; word:etc. word:And word:Inc. "
     "word:We word:e.g. word:this"},
    {"end.\nnext.) last.", "word:end punct:. word:next punct:. punct:) word:last punct:."},
    {"ab-é don'é rock'n' o'-x",
     "word:ab-é word:don'é word:rock'n punct:' word:o punct:' punct:- word:x"},
    {"word.com word.. a-.b word.@x word._x",
     "url:word.com word:word punct:.. word:a punct:- punct:. word:b word:word punct:. mention:@x "
     "word:word punct:. punct:_ word:x"},
    {"Fine. Then. U.S. army I. am",
     "word:Fine punct:. word:Then punct:. word:U.S. word:army word:I punct:. word:am"},
    /* ' and - that join nothing end a plain word before an ASCII byte, not before a non-ASCII one
     */
    {"dogs' x well- y it'\" z-é a'", "word:dogs punct:' word:x word:well punct:- word:y word:it "
                                     "punct:' punct:\" word:z-é word:a punct:'"},
    /* a ' or - on the last byte of a 64-byte window, joined by the byte after it or not */
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'b "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa- b",
     "word:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'b "
     "word:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa punct:- word:b"},
};

static const tokens_case number_cases[] = {
    {"1,000.50 3rd 50% 12:30", "number:1,000.50 number:3rd number:50% number:12:30"},
    {"21st 2nd 4TH 3.14 2024-01-05 1/2", "number:21st number:2nd number:4TH number:3.14 "
                                         "number:2024-01-05 number:1/2"},
    {"10am 90's $5, 7.", "word:10am word:90's symbol:$ number:5 punct:, number:7 punct:."},
};

static const tokens_case url_cases[] = {
    {"see https://example.com/a?b=1, ok", "word:see url:https://example.com/a?b=1 punct:, word:ok"},
    {"(http://x.org/wiki/Foo_(bar))", "punct:( url:http://x.org/wiki/Foo_(bar) punct:)"},
    {"get ftp://files.example.org/a now", "word:get url:ftp://files.example.org/a word:now"},
    {"www.test.com. Amazon.com/x is", "url:www.test.com punct:. url:Amazon.com/x word:is"},
    {"it failed.Then node.js", "word:it word:failed punct:. word:Then word:node punct:. word:js"},
    {"mail john.smith+tag@example.co.uk.", "word:mail email:john.smith+tag@example.co.uk punct:."},
    {"a@b x@y.z 1@ex.com me#1", "word:a punct:@ word:b word:x punct:@ word:y.z "
                                "email:1@ex.com word:me punct:# number:1"},
    {"@joe_1 hi @ #love #1 #", "mention:@joe_1 word:hi punct:@ hashtag:#love punct:# number:1 "
                               "punct:#"},
    {"#ÉtéChaud @José", "hashtag:#ÉtéChaud mention:@José"},
};

static const tokens_case emoticon_cases[] = {
    {":) :-( <3 ;P :D XD", "emoticon::) emoticon::-( emoticon:<3 emoticon:;P emoticon::D "
                           "emoticon:XD"},
    {":'( ^_^ </3 :))) great:)", "emoticon::'( emoticon:^_^ emoticon:</3 emoticon::))) word:great "
                                 "emoticon::)"},
    {"Note:Paris :Dog 8) XDs", "word:Note punct:: word:Paris punct:: word:Dog number:8 punct:) "
                               "word:XDs"},
};

static const tokens_case emoji_cases[] = {
    {"👍🏽 👨‍👩‍👧 🇬🇧",
     "emoji:👍🏽 emoji:👨‍👩‍👧 emoji:🇬🇧"},
    {"1️⃣ #️⃣ ❤️ 😀😀",
     "emoji:1️⃣ emoji:#️⃣ emoji:❤️ emoji:😀 emoji:😀"},
    {"🏴󠁧󠁢󠁥󠁮󠁧󠁿 flag", "emoji:🏴󠁧󠁢󠁥󠁮󠁧󠁿 word:flag"},
    {"great👍🏽!", "word:great emoji:👍🏽 punct:!"},
};

static const tokens_case punct_cases[] = {
    {"Wow!!! What?! Hmm... ok…", "word:Wow punct:!!! word:What punct:?! word:Hmm punct:... "
                                 "word:ok punct:…"},
    {"“quoted” (yes) -- a,b", "punct:“ word:quoted punct:” punct:( word:yes punct:) punct:-- "
                              "word:a punct:, word:b"},
    {"$ + → © ™ ‼", "symbol:$ symbol:+ symbol:→ symbol:© symbol:™ punct:‼"},
};

static void check_tokens(const tokens_case *cases, int index) {
  const tokens_case *item = &cases[index];
  ck_assert_int_eq(fixture_tokenize(item->text, strlen(item->text)), 0);
  ck_assert_str_eq(fixture_tokens(), item->tokens);
  ck_assert_ptr_null(fixture_check_invariants());
}

START_TEST(test_words) {
  check_tokens(word_cases, _i);
}
END_TEST

START_TEST(test_plain_words) {
  check_tokens(plain_word_cases, _i);
}
END_TEST

START_TEST(test_numbers) {
  check_tokens(number_cases, _i);
}
END_TEST

START_TEST(test_urls_emails_handles) {
  check_tokens(url_cases, _i);
}
END_TEST

START_TEST(test_emoticons) {
  check_tokens(emoticon_cases, _i);
}
END_TEST

START_TEST(test_emoji) {
  check_tokens(emoji_cases, _i);
}
END_TEST

START_TEST(test_punctuation) {
  check_tokens(punct_cases, _i);
}
END_TEST

/* ---- norm and stem -------------------------------------------------------------------------- */

static const tokens_case stem_cases[] = {
    {"Running CATS generalization", "Running:running:run CATS:cats:cat "
                                    "generalization:generalization:general"},
    {"it’s Straße ﬁne ＡＢＣ", "it’s:it’s:it Straße:strasse:strass ﬁne:fine:fine ＡＢＣ:abc:abc"},
    {"Mr. U.S. well-known", "Mr.:mr.:mr. U.S.:u.s.:u.s. well-known:well-known:well-known"},
};

START_TEST(test_norm_and_stem) {
  const tokens_case *item = &stem_cases[_i];
  ck_assert_int_eq(fixture_tokenize(item->text, strlen(item->text)), 0);
  ck_assert_str_eq(fixture_stems(), item->tokens);
}
END_TEST

START_TEST(test_norm_of_other_types) {
  const char *text = "Visit HTTPS://Example.COM #LOVE @Joe";
  ck_assert_int_eq(fixture_tokenize(text, strlen(text)), 0);
  const tk_scratch *scratch = fixture_scratch();
  ck_assert_uint_eq(scratch->token_count, 4);
  ck_assert_str_eq(tk_scratch_norm(scratch, &scratch->tokens[1]), "https://example.com");
  ck_assert_str_eq(tk_scratch_stem(scratch, &scratch->tokens[1]), "https://example.com");
  ck_assert_str_eq(tk_scratch_norm(scratch, &scratch->tokens[2]), "#love");
  ck_assert_str_eq(tk_scratch_norm(scratch, &scratch->tokens[3]), "@joe");
}
END_TEST

/* ---- flags ----------------------------------------------------------------------------------- */

static const struct {
  const char *text;
  unsigned flags[8]; /* of each token, in order */
} flag_cases[] = {
    {"GREAT Great great",
     {TP_TOKEN_ALL_CAPS | TP_TOKEN_SPACE_BEFORE, TP_TOKEN_CAPITALIZED | TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_SPACE_BEFORE}},
    {"I the SOOO sooo",
     {TP_TOKEN_STOPWORD | TP_TOKEN_SPACE_BEFORE, TP_TOKEN_STOPWORD | TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_ALL_CAPS | TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE}},
    {"don’t,iPhone ÉTÉ",
     {TP_TOKEN_STOPWORD | TP_TOKEN_SPACE_BEFORE, 0, 0, TP_TOKEN_ALL_CAPS | TP_TOKEN_SPACE_BEFORE}},
    {"aaa xxyyzz 1000 heyyyyyyyyy abcdefghiii wooow!",
     {TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE, TP_TOKEN_SPACE_BEFORE, TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE, TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_ELONGATED | TP_TOKEN_SPACE_BEFORE, 0}},
    {"\"Yes\" (no)",
     {TP_TOKEN_SPACE_BEFORE, TP_TOKEN_CAPITALIZED, 0, TP_TOKEN_SPACE_BEFORE, TP_TOKEN_STOPWORD, 0}},
    /* lengths of 8 and 16: the ASCII path's last 8-byte word is a full one */
    {"BASTARDS Absolute ABCDEFGHIJKLMNOP",
     {TP_TOKEN_ALL_CAPS | TP_TOKEN_SPACE_BEFORE, TP_TOKEN_CAPITALIZED | TP_TOKEN_SPACE_BEFORE,
      TP_TOKEN_ALL_CAPS | TP_TOKEN_SPACE_BEFORE}},
};

START_TEST(test_flags) {
  const char *text = flag_cases[_i].text;
  ck_assert_int_eq(fixture_tokenize(text, strlen(text)), 0);
  const tk_scratch *scratch = fixture_scratch();
  ck_assert_uint_le(scratch->token_count, 8);
  for (size_t index = 0; index < scratch->token_count; index++) {
    ck_assert_msg(scratch->tokens[index].flags == flag_cases[_i].flags[index],
                  "%s: token %zu has flags 0x%x, expected 0x%x", text, index,
                  scratch->tokens[index].flags, flag_cases[_i].flags[index]);
  }
}
END_TEST

/* ---- sentences ------------------------------------------------------------------------------- */

static const struct {
  const char *text;
  const char *sentences; /* joined by " || " */
} sentence_cases[] = {
    {"Mr. Smith met Dr. Jones. They left.", "Mr. Smith met Dr. Jones. || They left."},
    {"Use e.g. apples, i.e. fruit. Then more.", "Use e.g. apples, i.e. fruit. || Then more."},
    {"He moved to the U.S. The weather was better.",
     "He moved to the U.S. || The weather was better."},
    {"The U.S. Army arrived at 5 p.m. today.", "The U.S. Army arrived at 5 p.m. today."},
    {"I bought apples, pears etc. Then I left.", "I bought apples, pears etc. || Then I left."},
    {"We met in St. Louis. The shop is on Main St. It was shut.",
     "We met in St. Louis. || The shop is on Main St. || It was shut."},
    {"Calvin M. Redshaw wrote this. It was good.", "Calvin M. Redshaw wrote this. || It was good."},
    {"J. R. R. Tolkien wrote books. I read plan B. Then slept.",
     "J. R. R. Tolkien wrote books. || I read plan B. || Then slept."},
    {"It costs 3.50 today. At 12:30 we left.", "It costs 3.50 today. || At 12:30 we left."},
    {"the pro...  way less expensive. i recieved it",
     "the pro...  way less expensive. || i recieved it"},
    {"Well... Maybe not. Wait… what?", "Well... || Maybe not. || Wait… what?"},
    {"He said \"no.\" Then he left.", "He said \"no.\" || Then he left."},
    {"(It broke!) We returned it. “Never again.” Done.",
     "(It broke!) || We returned it. || “Never again.” || Done."},
    {"First line\n\nsecond paragraph", "First line || second paragraph"},
    {"Item one\nItem two\n- item three", "Item one || Item two || - item three"},
    {"a wrapped\nline continues, and\nso on", "a wrapped\nline continues, and\nso on"},
    {"i like it. it works.", "i like it. || it works."},
    {"it failed.Then we left. see file.txt now", "it failed. || Then we left. || see file.txt now"},
    {"Wow!!! That was great?! yes", "Wow!!! || That was great?! || yes"},
    {"Love it! :) Will buy again 👍", "Love it! :) || Will buy again 👍"},
    {"3. that's pretty much all.", "3. that's pretty much all."},
    {"Visit example.com. It works.", "Visit example.com. || It works."},
    {"日本語です。次の文！最後", "日本語です。 || 次の文！ || 最後"},
    {"", ""},
    {"   \n\n  ", ""},
};

/* Checks the cues tk_scan() notes for tk_sentences() on `text`: ascending, without repeats,
 * and including every token that is a sentence mark or comes right before a line break (the
 * tokens tk_sentences() would otherwise have looked at one by one). */
static void assert_cues_complete(const char *text, size_t length) {
  tk_scratch scratch = {0};
  ck_assert_int_eq(tk_scan(&scratch, text, length), 0);
  size_t cue = 0;
  for (size_t index = 0; index < scratch.token_count; index++) {
    while (cue < scratch.cue_count && scratch.cues[cue] < index) {
      cue++;
    }
    int noted = cue < scratch.cue_count && scratch.cues[cue] == index;
    int mark = (scratch.tokens[index].flags & TK_FLAG_MARK) != 0;
    int before_break =
        index + 1 < scratch.token_count && (scratch.tokens[index + 1].flags & TK_FLAG_LINE_BREAK);
    ck_assert_msg(noted || !(mark || before_break), "token %zu of \"%.*s\" is not a cue", index,
                  (int)length, text);
  }
  for (size_t index = 1; index < scratch.cue_count; index++) {
    ck_assert_uint_lt(scratch.cues[index - 1], scratch.cues[index]);
  }
  ck_assert(scratch.cue_count == 0 || scratch.cues[scratch.cue_count - 1] < scratch.token_count);
  tk_scratch_release(&scratch);
}

/* Line breaks of every kind the scanner counts, next to marks and at both ends. */
static const char *const cue_texts[] = {
    "one\ntwo\r\nthree\rfour\n\nfive.",
    "a.\nb!\r\n\r\nc?",
    "line\xe2\x80\xa8sep\xe2\x80\xa9para. end",
    "\nstarts with a break",
    "ends with a break.\n",
    "Mr. Smith.\n\n U.S.\n(yes!)\n:)\n",
};

START_TEST(test_sentence_cues) {
  const char *text =
      _i < TABLE_SIZE(cue_texts) ? cue_texts[_i] : sentence_cases[_i - TABLE_SIZE(cue_texts)].text;
  assert_cues_complete(text, strlen(text));
}
END_TEST

START_TEST(test_sentences) {
  const char *text = sentence_cases[_i].text;
  ck_assert_int_eq(fixture_tokenize(text, strlen(text)), 0);
  ck_assert_str_eq(fixture_sentences(), sentence_cases[_i].sentences);
  ck_assert_ptr_null(fixture_check_invariants());
}
END_TEST

/* ---- robustness ------------------------------------------------------------------------------ */

START_TEST(test_nul_and_control_bytes) {
  static const char text[] = "a\0b\x01 c\x7f\x1b[0m d\xe2\x80\x8b"
                             "e";
  ck_assert_int_eq(fixture_tokenize(text, sizeof text - 1), 0);
  ck_assert_str_eq(fixture_tokens(), "word:a word:b word:c punct:[ word:0m word:d word:e");
  ck_assert_ptr_null(fixture_check_invariants());
}
END_TEST

/* 1 MB texts without a space, each a worst case for one part of the scanner. */
static const char *const megabyte_units[] = {"a", "a.", "!", "😀", "a@", "x-", ":)", "1,", "ab.c"};

START_TEST(test_megabyte_without_space) {
  const char *unit = megabyte_units[_i];
  size_t unit_length = strlen(unit), length = 1 << 20;
  char *text = malloc(length + 1);
  ck_assert_ptr_nonnull(text);
  size_t used = 0;
  while (used + unit_length <= length) {
    memcpy(text + used, unit, unit_length);
    used += unit_length;
  }
  text[used] = '\0';
  ck_assert_int_eq(fixture_tokenize(text, used), 0);
  ck_assert_uint_gt(fixture_scratch()->token_count, 0);
  ck_assert_ptr_null(fixture_check_invariants());
  free(text);
}
END_TEST

/* Random texts from the characters that steer the scanner, checked for the invariants only:
 * the point is that no mix of them crashes, loops or breaks the token/sentence structure. */
static size_t encode_utf8(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

START_TEST(test_random_mixtures) {
  static const uint32_t alphabet[] = {
      'a',     'Z',    'o',    'x',     'T',     'D',     'P',     '3',     '0',     '.',
      '!',     '?',    ',',    ':',     ';',     '-',     '\'',    '"',     '(',     ')',
      '@',     '#',    '%',    '/',     '<',     '>',     '^',     '_',     '=',     '*',
      ' ',     '\n',   '\r',   '\t',    0,       1,       0x1b,    0x7f,    0xe9,    0x301,
      0x2019,  0x2026, 0x201c, 0x201d,  0x200d,  0xfe0f,  0x20e3,  0x200b,  0xad,    0x2028,
      0x2029,  0x4e2d, 0x3002, 0x1f600, 0x1f44d, 0x1f3fd, 0x1f1ec, 0x1f1e7, 0x1f3f4, 0xe0067,
      0xe007f, 0x2764, 0xa9,   0x203c,  0x430,   0x5d0,   0x627,   0x0e01,  0xff01,  0x10ffff};
  uint64_t state = 0x9e3779b97f4a7c15ull * (uint64_t)(_i + 1);
  char *text = malloc(4 * 3000 + 1);
  ck_assert_ptr_nonnull(text);
  size_t length = 0;
  size_t count = 1 + (size_t)(_i * 37 % 3000);
  for (size_t index = 0; index < count; index++) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    length += encode_utf8(alphabet[state % (sizeof alphabet / sizeof alphabet[0])], text + length);
  }
  text[length] = '\0';
  ck_assert_int_eq(fixture_tokenize(text, length), 0);
  const char *problem = fixture_check_invariants();
  ck_assert_msg(problem == NULL, "mixture %d: %s", _i, problem);
  assert_cues_complete(text, length);
  free(text);
}
END_TEST

/* tk_word_window_end() gives tk_ascii_joined_end()'s answer from every offset, whether the
 * offsets go up one by one, jump ahead as the scanner's do (past a word and the byte after it)
 * or go back: texts of 0-299 bytes, so that windows start at an offset, at the text's last 64
 * bytes, or not at all (under 64), with runs of letters and digits of up to 150 bytes and ' and -
 * between them or before other bytes (so also on a window's last byte). */
START_TEST(test_word_window) {
  static const char bytes[] = "aZ09 .'_-\xc3\xa9\n'-'-";
  uint64_t state = 0x9e3779b97f4a7c15ull * (uint64_t)(_i + 1);
  size_t length = (size_t)_i;
  unsigned char text[300];
  for (size_t index = 0; index < length;) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    size_t run = state % 5 == 0 ? (size_t)(state >> 8) % 150 : 1 + (size_t)(state >> 8) % 8;
    for (size_t letter = 0; letter < run && index < length; letter++) {
      text[index++] = (unsigned char)"abcXYZ0189"[(state >> 20) % 10];
    }
    if (index < length) {
      text[index++] = (unsigned char)bytes[(state >> 32) % (sizeof bytes - 1)];
    }
  }
  tk_word_window window = tk_word_window_empty();
  for (size_t offset = 0; offset <= length; offset++) {
    ck_assert_uint_eq(tk_word_window_end(&window, text, offset, length),
                      tk_ascii_joined_end(text, offset, length));
  }
  window = tk_word_window_empty();
  for (size_t offset = 0; offset < length;) {
    size_t end = tk_word_window_end(&window, text, offset, length);
    ck_assert_uint_eq(end, tk_ascii_joined_end(text, offset, length));
    offset = end + 1 + (size_t)(state++ % 3);
  }
  for (size_t offset = length; offset-- > 0;) {
    ck_assert_uint_eq(tk_word_window_end(&window, text, offset, length),
                      tk_ascii_joined_end(text, offset, length));
  }
}
END_TEST

/* tk_ascii_joined_end() on its own: what it joins and what it does not. */
START_TEST(test_ascii_joined_end) {
  static const struct {
    const char *text;
    size_t offset, end;
  } cases[] = {
      {"don't x", 0, 5}, {"well-known-19,", 0, 13},
      {"dogs' x", 0, 4}, {"well- x", 0, 4},
      {"a'-b", 0, 1},    {"ab-\xc3\xa9", 0, 2},
      {"rock'n'", 0, 6}, {"x'", 0, 1},
      {"o'clock", 1, 7}, {"'tis", 1, 4},
      {"", 0, 0},        {"a--b", 0, 1},
  };
  for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
    const unsigned char *text = (const unsigned char *)cases[index].text;
    ck_assert_uint_eq(tk_ascii_joined_end(text, cases[index].offset, strlen(cases[index].text)),
                      cases[index].end);
  }
}
END_TEST

START_TEST(test_text_block) {
  const char *text = "Two words. And more!";
  ck_assert_int_eq(fixture_tokenize(text, strlen(text)), 0);
  tp_text *built = tk_text_build(fixture_scratch(), text, strlen(text), "english", malloc);
  ck_assert_ptr_nonnull(built);
  ck_assert_uint_eq(built->struct_size, sizeof(tp_text));
  ck_assert_ptr_eq(built->text, text);
  ck_assert_uint_eq(built->token_count, 6);
  ck_assert_uint_eq(built->sentence_count, 2);
  ck_assert_str_eq(built->language, "english");
  ck_assert_str_eq(built->tokens[0].norm, "two");
  ck_assert_str_eq(built->tokens[0].stem, "two");
  ck_assert_str_eq(built->tokens[5].norm, "!");
  ck_assert_uint_eq(built->tokens[5].sentence, 1);
  ck_assert_uint_eq(built->sentences[1].first_token, 3);
  ck_assert_uint_eq(built->sentences[1].start, 11);
  ck_assert_uint_eq(built->sentences[1].length, 9);
  free(built);
}
END_TEST

/* ---- the bundled sample ------------------------------------------------------------------------
 */

/* Texts whose tokens stress the word cache: case and type variants of the same bytes, long keys
 * that share their first and last 8 bytes, keys of 8, 9, 16, 17, 24 and 64+ bytes, non-ASCII
 * norms that grow (NFKC), and more distinct words than a 64-slot cache holds. */
static const char *const cache_texts[] = {
    "The the THE tHe #the @the the. The. Running RUNNING running runs #Running sooo SOOO Sooo",
    "abcdefgh12345678ijklmnop abcdefghXXXXXXXXijklmnop abcdefgh12345678ijklmnop "
    "abcdefgh abcdefghi abcdefgh12345678 abcdefgh12345678i abcdefgh12345678ijklmnop",
    "internationalization internationalisation Internationalization "
    "pneumonoultramicroscopicsilicovolcanoconiosis_and_then_some_more_letters_to_pass_64 x",
    "ﬁnance ﬁnance Ｆｕｌｌ ＦＵＬＬ ﬀ ﬃ ㍿ ½ Straße STRASSE it’s it's don’t DON’T",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty alpha beta gamma delta epsilon zeta eta theta "
    "iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega one two "
    "three four five six seven eight nine ten alpha beta gamma :) :) <3 <3 !!! !!! 3rd 3rd",
};

/* Every token of `text` through tk_normalize() with `cache` (NULL: none) into `scratch`. */
static void normalize_with(tk_scratch *scratch, tk_word_cache *cache, const char *text) {
  static tk_word_set stopwords;
  static struct sb_stemmer *stemmer;
  if (!stemmer) {
    size_t count = 0;
    const char *const *words = tk_stopwords_for("english", &count);
    ck_assert_int_eq(tk_word_set_build(&stopwords, words, count, NULL), 0);
    stemmer = sb_stemmer_new("english", NULL);
  }
  tk_language language = {.stemmer = stemmer, .cache = cache, .stopwords = &stopwords};
  size_t length = strlen(text);
  ck_assert_int_eq(tk_scan(scratch, text, length), 0);
  ck_assert_int_eq(tk_normalize(scratch, &language, text, length), 0);
}

/* Normalizes `text` through `cache` into `cached` and checks every token against the engine
 * without a cache. */
static void assert_as_uncached(tk_scratch *cached, tk_word_cache *cache, const char *text) {
  tk_scratch plain = {0};
  normalize_with(&plain, NULL, text);
  normalize_with(cached, cache, text);
  ck_assert_uint_eq(cached->token_count, plain.token_count);
  for (size_t index = 0; index < plain.token_count; index++) {
    const tp_token *want = &plain.tokens[index], *got = &cached->tokens[index];
    ck_assert_uint_eq(got->type, want->type);
    ck_assert_uint_eq(got->flags, want->flags);
    ck_assert_uint_eq(got->norm_length, want->norm_length);
    ck_assert_uint_eq(got->stem_length, want->stem_length);
    ck_assert_str_eq(tk_scratch_norm(cached, got), tk_scratch_norm(&plain, want));
    ck_assert_str_eq(tk_scratch_stem(cached, got), tk_scratch_stem(&plain, want));
  }
  tk_scratch_release(&plain);
}

/* Words whose stems the ASCII stemmer must not change: plain English, and short non-ASCII
 * words that the single-byte stemmer would cut differently (it counts "ñ" as two letters). */
static const char *const ascii_stemmer_texts[] = {
    "Running cats generalization happily skies dying news agreed hopefully troubled conditional "
    "relational rational valency hesitancy digitizer conformably radically differently vilely "
    "analogously vietnamization predication operator feudalism decisiveness hopefulness "
    "callousness formality sensitivity sensibility triplicate formative formalize electriciti "
    "electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable "
    "defensible irritant replacement adjustment dependent adoption homologou communism activate "
    "angulariti homologous effective bowdlerize probate rate cease controll roll don't it's 3rd",
    "añes aéed aïes Añes AÉED ñs naïvely café’s résumés",
};

/* tk_normalize() with the ASCII stemmer gives every token the stem of the UTF-8 stemmer alone,
 * with and without the word cache. */
START_TEST(test_ascii_stemmer) {
  tk_word_cache cache;
  ck_assert_int_eq(tk_word_cache_init(&cache, 1024, NULL), 0);
  const char *text = ascii_stemmer_texts[_i % TABLE_SIZE(ascii_stemmer_texts)];
  const char *name = _i < (int)TABLE_SIZE(ascii_stemmer_texts) ? "english" : "porter";
  size_t length = strlen(text);
  tk_language utf8_only = {.stemmer = sb_stemmer_new(name, NULL)};
  tk_language with_ascii = {.stemmer = utf8_only.stemmer,
                            .ascii_stemmer = tk_ascii_stemmer_new(name)};
  ck_assert_ptr_nonnull(with_ascii.ascii_stemmer);
  tk_scratch want = {0}, got = {0};
  ck_assert_int_eq(tk_scan(&want, text, length), 0);
  ck_assert_int_eq(tk_normalize(&want, &utf8_only, text, length), 0);
  for (int cached = 0; cached < 2; cached++) {
    with_ascii.cache = cached ? &cache : NULL;
    ck_assert_int_eq(tk_scan(&got, text, length), 0);
    ck_assert_int_eq(tk_normalize(&got, &with_ascii, text, length), 0);
    ck_assert_uint_eq(got.token_count, want.token_count);
    for (size_t index = 0; index < want.token_count; index++) {
      ck_assert_str_eq(tk_scratch_stem(&got, &got.tokens[index]),
                       tk_scratch_stem(&want, &want.tokens[index]));
    }
  }
  tk_scratch_release(&want);
  tk_scratch_release(&got);
  tk_word_cache_release(&cache);
  sb_stemmer_delete(utf8_only.stemmer);
  sb_stemmer_delete(with_ascii.ascii_stemmer);
}
END_TEST

/* Only the languages whose Snowball source is all ASCII get an ASCII stemmer. */
START_TEST(test_ascii_stemmer_languages) {
  const char *const *names = sb_stemmer_list();
  size_t given = 0;
  for (size_t index = 0; names[index]; index++) {
    struct sb_stemmer *stemmer = tk_ascii_stemmer_new(names[index]);
    int expected = strcmp(names[index], "english") == 0 || strcmp(names[index], "porter") == 0;
    ck_assert_msg((stemmer != NULL) == expected, "%s", names[index]);
    given += stemmer != NULL;
    sb_stemmer_delete(stemmer);
  }
  ck_assert_uint_eq(given, 2);
}
END_TEST

START_TEST(test_word_cache) {
  const char *text = cache_texts[_i];
  tk_scratch cached = {0};
  tk_word_cache cache;
  ck_assert_int_eq(tk_word_cache_init(&cache, 64, NULL), 0);
  for (int pass = 0; pass < 3; pass++) { /* cold, warm, and after the other texts */
    if (pass == 2) {
      for (size_t other = 0; other < sizeof cache_texts / sizeof cache_texts[0]; other++) {
        normalize_with(&cached, &cache, cache_texts[other]);
      }
    }
    assert_as_uncached(&cached, &cache, text);
  }
  ck_assert_uint_gt(cache.hits, 0);
  ck_assert_uint_gt(cache.misses, 0);
  tk_word_cache_release(&cache);
  tk_scratch_release(&cached);
}
END_TEST

/* Two words printed from `format` with different numbers whose key hashes agree on `bits` (64
 * slots: 63 for the home slot; 0xffff << 48 for the tag's hash bits), found by brute force. */
static void colliding_words(const char *format, uint64_t bits, char first[32], char second[32]) {
  enum { TRIES = 1 << 14 };
  static uint64_t seen[TRIES];
  for (unsigned index = 0; index < TRIES; index++) {
    snprintf(second, 32, format, index);
    uint64_t head;
    seen[index] = bits & tk_word_hash((const unsigned char *)second, strlen(second), 32,
                                      TP_TOKEN_WORD, &head);
    for (unsigned before = 0; before < index; before++) {
      if (seen[before] == seen[index]) {
        snprintf(first, 32, format, before);
        return;
      }
    }
  }
  ck_abort_msg("no two words from %s collide", format);
}

/* A key's hash does not depend on how many bytes past it may be read: the one-load paths for
 * 1-8 and 9-16 bytes give what the byte-safe loop gives (lookups and insertions of one key can
 * see different `readable`). */
START_TEST(test_word_hash_paths) {
  const char *text = "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t length = 1; length <= TK_MAX_CACHED_BYTES; length++) {
    uint64_t head_wide, head_exact;
    uint64_t wide =
        tk_word_hash((const unsigned char *)text, length, strlen(text), TP_TOKEN_WORD, &head_wide);
    uint64_t exact =
        tk_word_hash((const unsigned char *)text, length, length, TP_TOKEN_WORD, &head_exact);
    ck_assert_msg(wide == exact && head_wide == head_exact, "%zu-byte key hashed two ways", length);
  }
}
END_TEST

/* The cache's own bookkeeping (word_cache.h): one 64-byte-aligned line an entry, exact hit and
 * miss counts, what spills into the arena, keys that share a home slot, and emptying when 3/4
 * full or when the arena is. */
START_TEST(test_word_cache_entries) {
  tk_scratch scratch = {0};
  tk_word_cache cache;
  ck_assert_int_eq(tk_word_cache_init(&cache, 64, NULL), 0);
  ck_assert_uint_eq(cache.capacity, 64);
  ck_assert_uint_eq((uintptr_t)cache.slots % 64, 0);

  /* hits and misses: case variants are keys of their own */
  assert_as_uncached(&scratch, &cache, "walking walking Walking walking Walking");
  ck_assert_uint_eq(cache.misses, 2);
  ck_assert_uint_eq(cache.hits, 3);
  ck_assert_uint_eq(cache.count, 2);
  ck_assert_uint_eq(cache.arena_length, 0); /* short keys and strings stay in their entry */

  /* lone ASCII marks, digits and symbols are their own norm and stem, written with no lookup:
   * neither kept nor counted */
  assert_as_uncached(&scratch, &cache, ", 5 ! $ ( . ,");
  ck_assert_uint_eq(cache.misses, 2);
  ck_assert_uint_eq(cache.hits, 3);
  ck_assert_uint_eq(cache.count, 2);

  /* a 21-byte key spills, and so do its norm and stem (22 + 12 bytes > 32) */
  assert_as_uncached(&scratch, &cache, "internationalizations internationalizations");
  ck_assert_uint_eq(cache.misses, 3);
  ck_assert_uint_eq(cache.hits, 4);
  ck_assert_uint_eq(cache.arena_length, 21 + 22 + strlen("internation") + 1);
  /* keys of 9-16 bytes are told apart by their last 8 bytes, longer ones by all of them */
  assert_as_uncached(&scratch, &cache,
                     "abcdefgh1 abcdefgh2 abcdefgh1 abcdefgh12345678 abcdefgh12345679 "
                     "abcdefgh1middle12345678 abcdefgh2middle12345678 "
                     "abcdefgh1middle12345678 abcdefgh12345679");
  ck_assert_uint_eq(cache.misses, 3 + 6);
  ck_assert_uint_eq(cache.hits, 4 + 3);

  /* keys with the same home slot are both found, the second one slot further on; keys that also
   * share the tag (its 16 hash bits) and the first 8 bytes are told apart by their last 8 bytes
   * (up to 16 bytes long), or by all of them (longer) */
  static const struct {
    const char *format;
    uint64_t bits;
  } collisions[] = {
      {"zq%u", 63},
      {"abcdefgh%05u", 63 | 0xffffull << 48},
      {"abcdefgh%04u12345678", 63 | 0xffffull << 48},
  };
  for (size_t kind = 0; kind < sizeof collisions / sizeof collisions[0]; kind++) {
    char first[32], second[32];
    colliding_words(collisions[kind].format, collisions[kind].bits, first, second);
    char text[4 * 32];
    snprintf(text, sizeof text, "%s %s %s %s", first, second, second, first);
    size_t misses = cache.misses, hits = cache.hits;
    assert_as_uncached(&scratch, &cache, text);
    ck_assert_uint_eq(cache.misses, misses + 2);
    ck_assert_uint_eq(cache.hits, hits + 2);
  }

  /* 3/4 full (48 entries): emptied by the next insertion, and what it held misses again */
  size_t held = cache.count;
  char many[1024] = "";
  for (unsigned index = 0; index < 48 - held; index++) {
    snprintf(many + strlen(many), sizeof many - strlen(many), "w%u ", index);
  }
  assert_as_uncached(&scratch, &cache, many);
  ck_assert_uint_eq(cache.count, 48);
  size_t misses = cache.misses;
  assert_as_uncached(&scratch, &cache, "strolling walking");
  ck_assert_uint_eq(cache.count, 2);
  ck_assert_uint_eq(cache.misses, misses + 2);

  /* an arena of 8 bytes a slot (512 here) is emptied when the next spill would not fit */
  const char *long_word = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl";
  char longs[1024] = "";
  for (char letter = 'a'; letter <= 'e'; letter++) { /* 64-byte keys, 65-byte norms: 129 each */
    snprintf(longs + strlen(longs), sizeof longs - strlen(longs), "%c%s ", letter, long_word + 1);
  }
  assert_as_uncached(&scratch, &cache, longs);
  ck_assert_uint_eq(cache.arena_length, 2 * 129); /* three fit, the fourth emptied it */
  ck_assert_uint_eq(cache.count, 2);
  assert_as_uncached(&scratch, &cache, longs); /* still right after all that */

  tk_word_cache_release(&cache);
  tk_scratch_release(&scratch);

  /* a table of 2 MB and more (the plugin's 65536 slots) starts on a huge-page boundary */
  ck_assert_int_eq(tk_word_cache_init(&cache, 32768, NULL), 0);
  ck_assert_uint_eq((uintptr_t)cache.slots % ((size_t)2 << 20), 0);
  tk_word_cache_release(&cache);
}
END_TEST

/* What a word id promises (tp_token.word_id, text.h), kept for each id seen: the token's type,
 * flags but SPACE_BEFORE, whether its stem is its norm (the same offset), its norm and stem. */
typedef struct seen_word {
  uint64_t id;
  char what[400];
} seen_word;

/* Tokens with the same non-zero id are the same word (text.h's rule): over every cache text,
 * three times, through two 64-slot caches that each empty themselves more than once on them
 * (ids that outlived a fill would name two words); and a word keeps its id while its entry
 * lasts, the first time (a miss) as after (a hit), and gets a new one when the cache has been
 * emptied since. Lone marks and tokens normalized without a cache have none. */
START_TEST(test_word_ids) {
  tk_scratch scratch = {0};
  tk_word_cache caches[2];
  ck_assert_int_eq(tk_word_cache_init(&caches[0], 64, NULL), 0);
  ck_assert_int_eq(tk_word_cache_init(&caches[1], 64, NULL), 0);
  size_t capacity = 4096, seen_count = 0, with_id = 0;
  seen_word *seen = calloc(capacity, sizeof *seen);
  ck_assert_ptr_nonnull(seen);
  for (int round = 0; round < 3; round++) {
    for (size_t text = 0; text < sizeof cache_texts / sizeof cache_texts[0]; text++) {
      for (int which = 0; which < 2; which++) {
        normalize_with(&scratch, &caches[which], cache_texts[text]);
        for (size_t index = 0; index < scratch.token_count; index++) {
          const tp_token *token = &scratch.tokens[index];
          if (token->word_id == 0) {
            continue;
          }
          with_id++;
          char what[400];
          snprintf(what, sizeof what, "%u %u %d %s|%s", (unsigned)token->type,
                   (unsigned)(token->flags & ~TP_TOKEN_SPACE_BEFORE), token->stem == token->norm,
                   tk_scratch_norm(&scratch, token), tk_scratch_stem(&scratch, token));
          size_t k = 0;
          while (k < seen_count && seen[k].id != token->word_id) {
            k++;
          }
          if (k == seen_count) {
            ck_assert_uint_lt(seen_count, capacity);
            seen[seen_count].id = token->word_id;
            snprintf(seen[seen_count++].what, sizeof seen[0].what, "%s", what);
          } else {
            ck_assert_str_eq(what, seen[k].what);
          }
        }
      }
    }
  }
  ck_assert_uint_gt(with_id, 200);
  ck_assert_uint_gt(caches[0].misses, 3 * 48); /* each cache emptied itself more than once */
  free(seen);

  tk_word_cache *cache = &caches[0];
  normalize_with(&scratch, cache, "walking , walking");
  uint64_t walking = scratch.tokens[0].word_id;
  ck_assert_uint_ne(walking, 0);
  ck_assert_uint_eq(scratch.tokens[1].word_id, 0); /* a lone mark: no entry */
  ck_assert_uint_eq(scratch.tokens[2].word_id, walking);
  normalize_with(&scratch, cache, "walking");
  ck_assert_uint_eq(scratch.tokens[0].word_id, walking);
  char many[1024] = "";
  for (int word = 0; word < 64; word++) {
    snprintf(many + strlen(many), sizeof many - strlen(many), "w%c%c ", 'a' + word / 26,
             'a' + word % 26);
  }
  normalize_with(&scratch, cache, many); /* 64 new words: the cache empties itself */
  normalize_with(&scratch, cache, "walking");
  ck_assert_uint_ne(scratch.tokens[0].word_id, 0);
  ck_assert_uint_ne(scratch.tokens[0].word_id, walking);
  normalize_with(&scratch, NULL, "walking walking");
  ck_assert_uint_eq(scratch.tokens[0].word_id, 0);
  ck_assert_uint_eq(scratch.tokens[1].word_id, 0);

  tk_word_cache_release(&caches[0]);
  tk_word_cache_release(&caches[1]);
  tk_scratch_release(&scratch);
}
END_TEST

/* Word ids number a fill's words in the order they came (word_cache.h), so that a stage's table
 * indexed by their low bits holds the words it keeps close together: the first distinct word of
 * a fill is 0, the next 1, and so on, whatever slots the words hash to; a repeat keeps its
 * number, and an emptied cache numbers anew from 0 under another fill. A capacity over
 * TK_WORD_CACHE_MAX_SLOTS gets that many slots, whose numbers fit an entry's 16 bits. */
START_TEST(test_word_id_numbers) {
  tk_scratch scratch = {0};
  tk_word_cache cache;
  ck_assert_int_eq(tk_word_cache_init(&cache, 64, NULL), 0);
  normalize_with(&scratch, &cache, "delta alpha , delta charlie alpha bravo");
  const uint64_t numbers[] = {0, 1, UINT64_MAX, 0, 2, 1, 3}; /* UINT64_MAX: the mark, no id */
  ck_assert_uint_eq(scratch.token_count, sizeof numbers / sizeof numbers[0]);
  uint64_t fill = scratch.tokens[0].word_id >> 32;
  for (size_t index = 0; index < scratch.token_count; index++) {
    uint64_t id = scratch.tokens[index].word_id;
    if (numbers[index] == UINT64_MAX) {
      ck_assert_uint_eq(id, 0);
      continue;
    }
    ck_assert_uint_eq(id >> 32, fill);
    ck_assert_uint_eq(id & 0xffffffffu, numbers[index]);
  }
  char many[1024] = "";
  for (int word = 0; word < 64; word++) {
    snprintf(many + strlen(many), sizeof many - strlen(many), "w%c%c ", 'a' + word / 26,
             'a' + word % 26);
  }
  normalize_with(&scratch, &cache, many); /* 64 new words: the cache empties itself */
  normalize_with(&scratch, &cache, "echo echo delta");
  uint64_t echo = scratch.tokens[0].word_id, delta = scratch.tokens[2].word_id;
  ck_assert_uint_ne(echo >> 32, fill);
  ck_assert_uint_eq(scratch.tokens[1].word_id, echo);
  ck_assert_uint_eq(delta >> 32, echo >> 32);
  ck_assert_uint_eq(delta & 0xffffffffu, (echo & 0xffffffffu) + 1);
  tk_word_cache_release(&cache);

  ck_assert_int_eq(tk_word_cache_init(&cache, 4 * TK_WORD_CACHE_MAX_SLOTS, NULL), 0);
  ck_assert_uint_eq(cache.capacity, TK_WORD_CACHE_MAX_SLOTS);
  tk_word_cache_release(&cache);
  tk_scratch_release(&scratch);
}
END_TEST

#include <cjson/cJSON.h>

#include "sample_cases.h"

/* The "text" of record `id` of samples/comments.ndjson (under $TEXTPIPE_SOURCE_ROOT), or NULL.
 * The caller frees it. */
static char *sample_text(int id) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/samples/comments.ndjson", root ? root : ".");
  FILE *file = fopen(path, "r");
  if (!file) {
    return NULL;
  }
  char *line = NULL, *text = NULL;
  size_t capacity = 0;
  while (!text && getline(&line, &capacity, file) > 0) {
    cJSON *record = cJSON_Parse(line);
    if (cJSON_GetNumberValue(cJSON_GetObjectItem(record, "id")) == id) {
      const char *value = cJSON_GetStringValue(cJSON_GetObjectItem(record, "text"));
      text = value ? strdup(value) : NULL;
    }
    cJSON_Delete(record);
  }
  free(line);
  fclose(file);
  return text;
}

START_TEST(test_sample_comments) {
  char *text = sample_text(sample_cases[_i].id);
  ck_assert_ptr_nonnull(text);
  ck_assert_int_eq(fixture_tokenize(text, strlen(text)), 0);
  ck_assert_ptr_null(fixture_check_invariants());
  const tk_scratch *scratch = fixture_scratch();
  ck_assert_uint_eq(scratch->sentence_count, sample_cases[_i].sentence_count);
  const tp_sentence *first = &scratch->sentences[0];
  ck_assert_uint_eq(first->length, strlen(sample_cases[_i].first_sentence));
  ck_assert_int_eq(memcmp(text + first->start, sample_cases[_i].first_sentence, first->length), 0);
  ck_assert_ptr_nonnull(strstr(fixture_tokens(), sample_cases[_i].tokens_fragment));
  free(text);
}
END_TEST

static Suite *tokenizer_suite(void) {
  Suite *suite = suite_create("tokenizer");
  struct {
    const char *name;
    const TTest *test;
    int count;
  } cases[] = {
      {"words", test_words, TABLE_SIZE(word_cases)},
      {"plain_words", test_plain_words, TABLE_SIZE(plain_word_cases)},
      {"numbers", test_numbers, TABLE_SIZE(number_cases)},
      {"urls_emails_handles", test_urls_emails_handles, TABLE_SIZE(url_cases)},
      {"emoticons", test_emoticons, TABLE_SIZE(emoticon_cases)},
      {"emoji", test_emoji, TABLE_SIZE(emoji_cases)},
      {"punctuation", test_punctuation, TABLE_SIZE(punct_cases)},
      {"norm_and_stem", test_norm_and_stem, TABLE_SIZE(stem_cases)},
      {"norm_of_other_types", test_norm_of_other_types, 1},
      {"flags", test_flags, TABLE_SIZE(flag_cases)},
      {"sentences", test_sentences, TABLE_SIZE(sentence_cases)},
      {"sentence_cues", test_sentence_cues, TABLE_SIZE(cue_texts) + TABLE_SIZE(sentence_cases)},
      {"nul_and_control_bytes", test_nul_and_control_bytes, 1},
      {"megabyte_without_space", test_megabyte_without_space, TABLE_SIZE(megabyte_units)},
      {"random_mixtures", test_random_mixtures, 300},
      {"text_block", test_text_block, 1},
      {"word_window", test_word_window, 300},
      {"ascii_joined_end", test_ascii_joined_end, 1},
      {"ascii_stemmer", test_ascii_stemmer, 2 * TABLE_SIZE(ascii_stemmer_texts)},
      {"ascii_stemmer_languages", test_ascii_stemmer_languages, 1},
      {"word_cache", test_word_cache, TABLE_SIZE(cache_texts)},
      {"word_cache_entries", test_word_cache_entries, 1},
      {"word_ids", test_word_ids, 1},
      {"word_id_numbers", test_word_id_numbers, 1},
      {"word_hash_paths", test_word_hash_paths, 1},
      {"sample_comments", test_sample_comments, TABLE_SIZE(sample_cases)},
  };
  for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
    TCase *tcase = tcase_create(cases[index].name);
    tcase_set_timeout(tcase, 60);
    tcase_add_loop_test(tcase, cases[index].test, 0, cases[index].count);
    suite_add_tcase(suite, tcase);
  }
  return suite;
}

int main(void) {
  return tp_check_run(tokenizer_suite());
}
