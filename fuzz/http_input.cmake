# Fuzz target: what the HTTP layer parses from clients before any handler: JSON bodies (size and
# depth limits, src/lib/json), Accept-Language, static paths and If-None-Match (src/lib/http).
attt_fuzz(http_input LIBS attt_http attt_json attt_base)
