-- login.lua: wrk script for bench/login: POST /api/v1/auth/login, cycling through the users
-- bench0001 .. benchNNNN (USERS in the environment) with their passwords from users.txt.
local users = {}
local i = 0
local thread_no = 0

function setup(thread)
	thread:set("id", thread_no)
	thread_no = thread_no + 1
end

function init(args)
	for line in io.lines(os.getenv("USERS_FILE")) do
		local u, p = line:match("^(%S+) (%S+)$")
		if u then users[#users + 1] = '{"username":"' .. u .. '","password":"' .. p .. '"}' end
	end
	i = id * 7
end

function request()
	i = i + 1
	local body = users[(i % #users) + 1]
	return wrk.format("POST", "/api/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end

local codes = {}
function response(status, headers, body)
	codes[status] = (codes[status] or 0) + 1
	if status ~= 200 then
		io.stderr:write("login answered " .. status .. "\n")
	end
end
