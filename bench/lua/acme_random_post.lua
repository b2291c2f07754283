-- wrk script: GET /v1/posts/{id} with ids drawn uniformly from 1..POSTS (env, default 100).
local posts = tonumber(os.getenv("POSTS") or "100")
math.randomseed(7)
request = function()
  return wrk.format("GET", "/v1/posts/" .. math.random(1, posts))
end
