-- wrk script for Benchmarks/web.sh: each request asks for the next path of the file WEB_PATHS (one a line, e.g.
-- /people/YP-...), so the chronology is measured over many young people rather than one kept page. Each of wrk's
-- threads starts at its own place in the list.
local paths = {}
for line in io.lines(os.getenv("WEB_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
assert(#paths > 0, "WEB_PATHS lists no paths")

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local i
function request()
  if i == nil then i = ((id or 0) * 7919) % #paths end
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i])
end
