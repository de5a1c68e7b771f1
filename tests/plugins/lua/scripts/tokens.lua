-- Reads tokenize's tokens and sentences (nil without a tokenize stage) and a nested field.
provides = {"token_summary"}
function process(record)
  local tokens = record:tokens()
  local sentences = record:sentences()
  if tokens == nil then
    record:set("token_summary", {missing = true, line = record:line()})
    return
  end
  local words = {}
  for _, token in ipairs(tokens) do
    if token.type == "word" then words[#words + 1] = token.norm .. "/" .. token.stem end
  end
  record:set("token_summary", {
    words = words,
    sentences = sentences,
    last_sentence_of_last_token = tokens[#tokens].sentence,
    author = record:get("meta.author"),
  })
end
