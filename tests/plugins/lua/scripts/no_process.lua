-- Defines no process function.
provides = {"ok"}
function proces(record) end
