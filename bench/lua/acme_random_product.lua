-- wrk script: GET /v1/products/{id} with ids drawn uniformly from 1..PRODUCTS (env, default 100000).
local products = tonumber(os.getenv("PRODUCTS") or "100000")
math.randomseed(42)
request = function()
  return wrk.format("GET", "/v1/products/" .. math.random(1, products))
end
