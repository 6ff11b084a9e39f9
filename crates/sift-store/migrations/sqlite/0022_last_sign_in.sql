-- When each user last signed in (a session started with their password): RFC 3339 in UTC,
-- compared as text like every time here; NULL for a user who never has (and for every user
-- before this migration: sign-ins were not recorded until now). API token use is recorded
-- per token (`api_tokens.last_used_at`), not here: a token is not a sign-in.
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
