/* tests/plugins/tokenize/sample_cases.h - what the tokenizer must find in the bundled sample
 * comments (samples/comments.ndjson, the same file as ../shared/samples/comments.ndjson),
 * checked by hand: sentence count, first sentence, and a stretch of tokens. The texts are read
 * from the file at run time (sample_text()).
 */
#ifndef TP_TEST_SAMPLE_CASES_H
#define TP_TEST_SAMPLE_CASES_H

static const struct {
  int id;
  size_t sentence_count;
  const char *first_sentence;
  const char *tokens_fragment; /* must appear in fixture_tokens() */
} sample_cases[] = {
    {1, 3, "Good piece Joe, best I’ve read on the failure of the missions.",
     "word:power punct:? punct:” word:Sadly word:it’s"},
    {2, 4, "Brilliant analysis of why the mission aproach collapsed under its own weight.",
     "punct:' word:mission word:washing punct:'"},
    {3, 15,
     "In terms of what should replace it, a move towards genuine decentralisation and fiscal "
     "devolution.",
     "word:issues punct:-- word:it"},
    {4, 4, "Good analysis.", "word:work punct:& word:income"},
    {5, 8,
     "I’m not sure this has to be more complicated than “the people in charge of the missions "
     "don’t actually have much incentive to deliver them”— of course they fail if that’s true, "
     "and it’s not surprising if missions led by people with something on the line turned out "
     "better.",
     "word:them punct:” punct:— word:of"},
    {6, 5, "good read, thanks.", "word:centrist punct:/ word:moderate"},
    {7, 18,
     "The basic issue is that the underlying mission axiom that Government can deliver to grow "
     "the economy is wrong.",
     "word:Government punct:/ word:PM"},
};

#endif /* TP_TEST_SAMPLE_CASES_H */
