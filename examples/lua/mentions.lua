-- examples/lua/mentions.lua - a textpipe lua stage: which of the given names a comment
-- mentions, and how often each name comes up over the stream.
--
-- The names come from the pipeline (params.names); a name matches as a whole word, in any
-- letter case ("Pixel" matches "pixel's" but not "pixels"). Each record gets "mentions", the
-- list of names it mentions (in params order; absent when none), and the report section
-- counts records and mentions per name, with a bar chart and tiles.

provides = {"mentions"}

local names = params.names or {}
local patterns = {}
for index, name in ipairs(names) do
  -- %f[%w] and %f[%W] are word frontiers; the name's magic characters are escaped.
  patterns[index] = "%f[%w]" .. name:lower():gsub("%p", "%%%0") .. "%f[%W]"
end

-- A worker's state; merge(a, b) below folds a second worker's into the first.
function init()
  local per_name = {}
  for _, name in ipairs(names) do per_name[name] = 0 end
  return {records = 0, mentioning = 0, per_name = per_name}
end

function process(record, state)
  local text = record:text():lower()
  local found = {}
  for index, pattern in ipairs(patterns) do
    if text:find(pattern) then
      found[#found + 1] = names[index]
      state.per_name[names[index]] = state.per_name[names[index]] + 1
    end
  end
  state.records = state.records + 1
  if #found > 0 then
    state.mentioning = state.mentioning + 1
    record:set("mentions", found)
  end
end

function merge(a, b)
  a.records = a.records + b.records
  a.mentioning = a.mentioning + b.mentioning
  for name, count in pairs(b.per_name) do a.per_name[name] = (a.per_name[name] or 0) + count end
  return a
end

function finish(state)
  local bars = {}
  for _, name in ipairs(names) do
    bars[#bars + 1] = {label = name, value = state.per_name[name]}
  end
  local share = state.records > 0 and state.mentioning / state.records or 0
  return {
    records = state.records,
    mentioning = state.mentioning,
    per_name = state.per_name,
    blocks = {
      {type = "tiles", items = {
        {label = "records", value = state.records},
        {label = "mention a name", value = state.mentioning},
        {label = "share", value = math.floor(share * 1000 + 0.5) / 10, unit = "%"},
      }},
      {type = "bars", title = "Mentions per name", items = bars},
    },
  }
end
