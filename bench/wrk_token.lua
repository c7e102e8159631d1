-- wrk_token.lua: wrk sends every request with the API bearer token in
-- $TOKEN (made by `rebill user token EMAIL`), so the server authenticates
-- each one as that user. Used by bench/serve_bench.sh.
local token = os.getenv("TOKEN")
if not token or token == "" then
	error("wrk_token.lua: set TOKEN to a bearer token")
end
wrk.headers["Authorization"] = "Bearer " .. token
