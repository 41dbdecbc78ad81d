-- wrk script: cycles through the benchmark's query mix on the search page.
-- Usage: wrk -t2 -c16 -d10s --latency -s bench/wrk-mix.lua http://127.0.0.1:PORT -- QUERIES.tsv
-- QUERIES.tsv is written by `bench-corpus queries`; its last column is the /sok?q=… path.
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    local path = line:match("([^\t]+)$")
    if path then
      table.insert(paths, path)
    end
  end
  -- Threads start at different places in the mix.
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
