-- provides holds something that is not a key name.
provides = {"ok", "not a key"}
function process(record) end
