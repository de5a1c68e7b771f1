-- Sets a key the script does not declare in provides, on the record whose text is "attack".
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    record:set("text_length", 1)
  end
  record:set("ok", true)
end
