-- Imports write every lead row; an index nobody queries by only slows them down. Leads are
-- looked up by their CRM id or their email when a command names them.
DROP INDEX IF EXISTS leads_source;
DROP INDEX IF EXISTS leads_email;
CREATE INDEX IF NOT EXISTS leads_external_id ON leads (external_id);
CREATE INDEX IF NOT EXISTS leads_email_lower ON leads (lower(email));
