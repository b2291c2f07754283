-- wrk script: POST /v1/orders for a random user with one or two random products, quantity 1.
-- USERS and PRODUCTS (env) give the seeded id ranges.
local users = tonumber(os.getenv("USERS") or "10000")
local products = tonumber(os.getenv("PRODUCTS") or "100000")
math.randomseed(7)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local first = math.random(1, products)
  local items = '{"product_id":' .. first .. ',"quantity":1}'
  if math.random() < 0.5 then
    items = items .. ',{"product_id":' .. (first % products) + 1 .. ',"quantity":1}'
  end
  local body = '{"user_id":' .. math.random(1, users) .. ',"items":[' .. items .. ']}'
  return wrk.format(nil, "/v1/orders", nil, body)
end
