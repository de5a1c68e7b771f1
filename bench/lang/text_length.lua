-- bench/lang/text_length.lua: the Lua stage of bench/lang_plugins.sh: reads the text's length
-- and sets one number field.
provides = {"text_length"}
function process(record)
  record:set("text_length", #record:text())
end
