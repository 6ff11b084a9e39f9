-- A stage move's reason as a message (a code and its arguments, JSON), when Sift wrote the
-- reason (a verdict's or the lead-type rules' move), so a page can say it in its own
-- language; NULL for reasons people typed, imports and every move kept before this.
ALTER TABLE stage_history ADD COLUMN reason_message TEXT;
