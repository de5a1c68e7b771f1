-- Grows a table of strings without end on the record whose text is "attack".
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    local parts = {}
    local piece = string.rep("y", 1024)
    for i = 1, math.huge do
      parts[i] = piece .. i
    end
  end
  record:set("ok", true)
end
