-- Raises a table as the error on the record whose text is "attack".
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    error({code = 42})
  end
  record:set("ok", true)
end
