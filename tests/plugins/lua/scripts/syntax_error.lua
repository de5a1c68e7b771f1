-- A syntax error on line 4: the stage refuses to start, naming file:line.
provides = {"ok"}
function process(record)
  record:set("ok" true)
end
