-- wrk script: logs the benchmark user in over and over (50 connections = 50 concurrent logins).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "email=bench%40example.com&password=violet+tractor+wanders+quietly&next="
