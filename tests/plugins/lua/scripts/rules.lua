-- A script that uses every accessor; its state is merged across workers and reported.
provides = {"words", "shout"}
function init()
  return {records = 0, words = 0, lengths = {}}
end
function process(record, state)
  local text = record:text()
  local words = 0
  for _ in text:gmatch("%S+") do words = words + 1 end
  record:set("words", words)
  if text:upper() == text and text:find("%a") then record:set("shout", true) end
  state.records = state.records + 1
  state.words = state.words + words
  local bucket = tostring(#text // 10 * 10)
  state.lengths[bucket] = (state.lengths[bucket] or 0) + 1
  if record:get("meta.drop") then return false end
end
function finish(state)
  return {records = state.records, words = state.words, lengths = state.lengths, line = 0}
end
