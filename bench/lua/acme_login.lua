-- wrk script: POST /v1/auth/token with the password grant for LOGIN_EMAIL / LOGIN_PASSWORD (env);
-- every WRONG_EVERY-th request (default 4) sends a wrong password, as a credential-stuffing flood would.
local email = os.getenv("LOGIN_EMAIL")
local password = os.getenv("LOGIN_PASSWORD")
local wrong_every = tonumber(os.getenv("WRONG_EVERY") or "4")
local count = 0
request = function()
  count = count + 1
  local sent = password
  if count % wrong_every == 0 then sent = password .. "-wrong" end
  return wrk.format("POST", "/v1/auth/token", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "grant_type=password&username=" .. email .. "&password=" .. sent)
end
