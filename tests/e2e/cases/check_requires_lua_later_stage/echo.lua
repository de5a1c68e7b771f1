-- Copies the record's text to "echo", which the needs-echo fixture stage requires.
provides = {"echo"}

function process(record, state)
  record:set("echo", record:text())
end
