-- The reports count the leads created in a range of days, and for each lead the furthest
-- stage its history reached: an index for each (the history's is covering).
CREATE INDEX leads_created_at ON leads (created_at);
CREATE INDEX stage_history_lead_to ON stage_history (lead_id, to_stage);
