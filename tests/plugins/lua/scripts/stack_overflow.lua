-- Recurses without end on the record whose text is "attack".
provides = {"ok"}
local function deeper(n)
  return 1 + deeper(n + 1)
end
function process(record)
  if record:text() == "attack" then
    deeper(1)
  end
  record:set("ok", true)
end
