-- Loops forever while loading: the instruction budget stops it at start-up.
provides = {"ok"}
while true do end
