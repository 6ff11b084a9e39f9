-- Lists sort by company or by last change, often within one stage (the board); these indexes
-- let a page of 50 be read in index order instead of sorting every matching lead. Each
-- expression is the one the list query orders by (`SortKey::expression`).
CREATE INDEX leads_stage_company ON leads (stage, coalesce(lower(company), ''), id);
CREATE INDEX leads_company ON leads (coalesce(lower(company), ''), id);
CREATE INDEX leads_stage_updated ON leads (stage, updated_at, id);
CREATE INDEX leads_updated ON leads (updated_at, id);
