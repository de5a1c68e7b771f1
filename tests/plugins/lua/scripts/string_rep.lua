-- Tries to exhaust memory with string.rep on the record whose text is "attack".
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    local big = string.rep("x", 1 << 30)
    record:set("ok", #big)
  end
  record:set("ok", true)
end
