-- An API token may expire: RFC 3339 in UTC, compared as text like every time here; NULL
-- for a token that never expires (every token made before this migration).
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
