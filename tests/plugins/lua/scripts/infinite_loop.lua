-- Loops forever on the record whose text is "attack", catching every error it can.
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    while true do
      pcall(function() while true do end end)
    end
  end
  record:set("ok", true)
end
