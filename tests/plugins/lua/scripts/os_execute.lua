-- Tries os.execute on the record whose text is "attack"; the others get ok = true.
provides = {"ok"}
function process(record)
  if record:text() == "attack" then
    os.execute("touch /tmp/textpipe-lua-escaped")
  end
  record:set("ok", true)
end
