-- A lead with a CRM id is always keyed `ext:<id>` (the importer and `LeadRecord::from_lead`
-- key by the id first), so the unique `dedupe_key` index already finds leads by external id.
-- The separate index cost every imported row one more index insert.
DROP INDEX IF EXISTS leads_external_id;
