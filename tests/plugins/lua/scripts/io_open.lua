-- Tries io.open on the record whose text is "attack".
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    local file = io.open("/etc/passwd")
    record:set("ok", file:read("l"))
  end
  record:set("ok", true)
end
