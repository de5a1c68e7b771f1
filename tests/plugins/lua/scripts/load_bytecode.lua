-- With "allow": ["load"], load() exists but takes text only: a precompiled chunk (it starts
-- with ESC "Lua") is refused, and the assert turns the refusal into this record's error.
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    local chunk = assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8"))
    chunk()
  end
  record:set("ok", true)
end
