//! Playbooks at work: route a lead to the first playbook whose segment it fits, give it an
//! owner from the playbook's pool (by territory, else in turn), route what an import brought
//! in, and tell a qualification which playbook's framework and ICP to use.
//!
//! Every outcome explains itself: which playbook and the conditions that decided it (or why
//! none fitted), and why this owner (territory, turn, already owned) or why nobody.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sift_core::playbook::{OwnerPlan, owner_at_turn};
use sift_core::{Lead, Playbook, Routing};
use sift_store::{LeadFilter, LeadRouting, OwnerChange, Store, StoredLead};

use crate::config::Config;
use crate::error::{AppError, Result};

/// Who gets a lead's ownership when it is routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteMode {
    /// A new or imported lead: an owner is given only when the lead has none.
    New,
    /// Routing a lead again: the owner stays when they are in the new playbook's pool,
    /// otherwise the pool gives a new one.
    Again,
}

/// The owner a routed lead ended up with, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerOutcome {
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    pub reason: String,
}

/// One lead routed: where it went, why, and who owns it now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routed {
    pub lead_id: i64,
    pub routing: Routing,
    pub owner: OwnerOutcome,
}

/// The users owners are chosen among: enabled ones by name, and every name by id.
struct Users {
    enabled: HashMap<String, i64>,
    names: HashMap<i64, String>,
}

impl Users {
    async fn load(store: &Store) -> Result<Users> {
        let users = store.list_users().await?;
        Ok(Users {
            enabled: users.iter().filter(|u| !u.disabled).map(|u| (u.username.clone(), u.id)).collect(),
            names: users.into_iter().map(|u| (u.id, u.username)).collect(),
        })
    }

    fn name(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.names.get(&id).cloned())
    }
}

/// What routing decided for one lead before turns are taken.
enum Pending {
    /// No owner change; the reason says why.
    Keep(String),
    /// This user, for this reason.
    Owner(i64, String),
    /// The next owner in turn among these (enabled) users.
    Turn(Vec<(String, i64)>, String),
    /// Nobody can take it.
    Nobody(String),
}

fn plan_owner(playbook: &Playbook, lead: &Lead, current: Option<i64>, mode: RouteMode, users: &Users) -> Pending {
    let pool: Vec<(String, i64)> =
        playbook.owners.iter().filter_map(|name| users.enabled.get(name).map(|id| (name.clone(), *id))).collect();
    if let Some(owner) = current {
        let name = users.name(Some(owner)).unwrap_or_else(|| format!("user {owner}"));
        match mode {
            RouteMode::New => return Pending::Keep(format!("already owned by `{name}`; kept")),
            RouteMode::Again if pool.iter().any(|(_, id)| *id == owner) => {
                return Pending::Keep(format!("`{name}` is in the pool of `{}`; kept", playbook.id));
            }
            RouteMode::Again => {}
        }
    }
    let unavailable = || {
        let missing: Vec<&str> =
            playbook.owners.iter().filter(|n| !users.enabled.contains_key(*n)).map(String::as_str).collect();
        if missing.is_empty() { String::new() } else { format!(" (not enabled users: {})", missing.join(", ")) }
    };
    let (pool, reason) = match playbook.owner_plan(lead) {
        OwnerPlan::Territory { owner, reason } => match users.enabled.get(&owner) {
            Some(id) => return Pending::Owner(*id, reason),
            None => {
                (pool, format!("{reason}, but `{owner}` is not an enabled user, so the next owner in turn takes it"))
            }
        },
        OwnerPlan::Turn { reason, .. } => (pool, reason),
    };
    if pool.is_empty() {
        return Pending::Nobody(format!(
            "no owner of `{}` is an enabled user{}; the lead stays unassigned",
            playbook.id,
            unavailable()
        ));
    }
    Pending::Turn(pool, format!("{reason}{}", unavailable()))
}

/// Routes leads and assigns their owners, taking the round-robin turns each playbook needs
/// in one block, and records it all in one transaction.
async fn route_many(
    config: &Config,
    store: &Store,
    leads: &[StoredLead],
    mode: RouteMode,
    users: &Users,
) -> Result<Vec<Routed>> {
    let Some(playbooks) = &config.playbooks else {
        return Err(AppError::Conflict("no playbooks are configured, so there is nowhere to route leads".into()));
    };
    let mut planned = Vec::with_capacity(leads.len());
    let mut turns_needed: BTreeMap<String, u64> = BTreeMap::new();
    for stored in leads {
        let lead = stored.record.to_lead();
        let routing = playbooks.route(&lead);
        let pending = match routing.playbook.as_deref().and_then(|id| playbooks.get(id)) {
            None => Pending::Keep("no playbook fits, so the owner does not change".into()),
            Some(playbook) => plan_owner(playbook, &lead, stored.owner_id, mode, users),
        };
        if let (Pending::Turn(..), Some(id)) = (&pending, &routing.playbook) {
            *turns_needed.entry(id.clone()).or_default() += 1;
        }
        planned.push((stored, routing, pending));
    }
    let mut turns: BTreeMap<String, std::ops::Range<u64>> = BTreeMap::new();
    for (playbook, count) in turns_needed {
        let block = store.take_playbook_turns(&playbook, count).await?;
        turns.insert(playbook, block);
    }
    let change = |id: i64| match mode {
        RouteMode::New => OwnerChange::IfUnowned(id),
        RouteMode::Again => OwnerChange::Set(id),
    };
    let mut routes = Vec::with_capacity(planned.len());
    let mut reasons = Vec::with_capacity(planned.len());
    for (stored, routing, pending) in &planned {
        let (owner, reason) = match pending {
            Pending::Keep(reason) | Pending::Nobody(reason) => (OwnerChange::Keep, reason.clone()),
            Pending::Owner(id, reason) => (change(*id), reason.clone()),
            Pending::Turn(pool, reason) => {
                let turn = routing.playbook.as_ref().and_then(|p| turns.get_mut(p)).and_then(Iterator::next);
                let names: Vec<String> = pool.iter().map(|(n, _)| n.clone()).collect();
                match turn.and_then(|t| owner_at_turn(&names, t).map(|n| (t, n.to_owned()))) {
                    Some((t, name)) => {
                        let id = pool.iter().find(|(n, _)| *n == name).map_or(0, |(_, id)| *id);
                        (change(id), format!("{reason}: turn {} goes to `{name}`", t + 1))
                    }
                    None => (OwnerChange::Keep, format!("{reason}; no turn could be taken")),
                }
            }
        };
        reasons.push((owner, reason));
        // A lead that stays where it is needs no write (and keeps its ETag).
        if owner != OwnerChange::Keep || routing.playbook != stored.playbook {
            routes.push(LeadRouting { lead_id: stored.id, playbook: routing.playbook.clone(), owner });
        }
    }
    let written: HashMap<i64, Option<i64>> =
        routes.iter().map(|r| r.lead_id).zip(store.set_lead_routing(&routes).await?).collect();
    let owners: Vec<Option<i64>> =
        planned.iter().map(|(stored, _, _)| written.get(&stored.id).copied().unwrap_or(stored.owner_id)).collect();
    Ok(planned
        .into_iter()
        .zip(reasons)
        .zip(owners)
        .map(|(((stored, routing, _), (change, reason)), owner_id)| {
            let reason = match change {
                OwnerChange::IfUnowned(wanted) if owner_id != Some(wanted) => format!(
                    "{reason}; but the lead got an owner meanwhile (`{}`), who keeps it",
                    users.name(owner_id).unwrap_or_default()
                ),
                _ => reason,
            };
            Routed {
                lead_id: stored.id,
                routing,
                owner: OwnerOutcome { owner_id, owner: users.name(owner_id), reason },
            }
        })
        .collect())
}

/// Routes one stored lead and gives it an owner as `mode` says; returns the routing and the
/// lead as stored now.
pub async fn route_lead(config: &Config, store: &Store, lead_id: i64, mode: RouteMode) -> Result<(Routed, StoredLead)> {
    let lead = store.lead(lead_id).await?.ok_or_else(|| AppError::lead_not_found(&lead_id.to_string()))?;
    let users = Users::load(store).await?;
    let routed = route_many(config, store, std::slice::from_ref(&lead), mode, &users).await?;
    let routed = routed.into_iter().next().ok_or_else(|| AppError::lead_not_found(&lead_id.to_string()))?;
    let lead = store.lead(lead_id).await?.ok_or_else(|| AppError::lead_not_found(&lead_id.to_string()))?;
    Ok((routed, lead))
}

/// Routes a lead just created (by the API or a form) when playbooks are configured; the
/// lead comes back as stored now, with its routing (`None` without playbooks).
pub async fn route_new_lead(config: &Config, store: &Store, lead: StoredLead) -> Result<(StoredLead, Option<Routed>)> {
    if config.playbooks.is_none() {
        return Ok((lead, None));
    }
    let (routed, lead) = route_lead(config, store, lead.id, RouteMode::New).await?;
    Ok((lead, Some(routed)))
}

/// What routing the leads of an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportRouting {
    pub run: i64,
    pub file: String,
    /// Leads of the file that had no playbook and were looked at.
    pub considered: u64,
    /// How many went to each playbook.
    pub by_playbook: BTreeMap<String, u64>,
    /// How many fitted no playbook (they stay without one, and are looked at again after
    /// the next import of the file).
    pub unmatched: u64,
    /// How many got an owner now, by user name.
    pub assigned: BTreeMap<String, u64>,
}

/// Leads routed per transaction after an import.
const ROUTE_BATCH: i64 = 500;

/// After an import: routes the leads of that run's file that have no playbook yet (new
/// ones, and any a previous, interrupted run left behind), giving owners to those without.
/// The importer itself is untouched: this reads what it stored.
pub async fn route_import_run(config: &Config, store: &Store, run: i64) -> Result<ImportRouting> {
    let import = store.import_run(run).await?.ok_or_else(|| AppError::NotFound {
        what: "import run",
        key: run.to_string(),
        hint: String::new(),
    })?;
    let mut summary = ImportRouting { run, file: import.file.clone(), ..ImportRouting::default() };
    if config.playbooks.is_none() {
        return Ok(summary);
    }
    let users = Users::load(store).await?;
    let mut after = 0;
    loop {
        let filter = LeadFilter {
            source_file: Some(import.file.clone()),
            playbook: Some(None),
            after: Some(sift_store::Cursor { value: String::new(), id: after }),
            limit: Some(ROUTE_BATCH),
            ..LeadFilter::default()
        };
        let batch = store.list_leads(&filter).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for routed in route_many(config, store, &batch, RouteMode::New, &users).await? {
            summary.considered += 1;
            match &routed.routing.playbook {
                Some(p) => *summary.by_playbook.entry(p.clone()).or_default() += 1,
                None => summary.unmatched += 1,
            }
            let before = batch.iter().find(|l| l.id == routed.lead_id).and_then(|l| l.owner_id);
            if let (None, Some(name)) = (before, routed.owner.owner) {
                *summary.assigned.entry(name).or_default() += 1;
            }
        }
        if (batch.len() as i64) < ROUTE_BATCH {
            break;
        }
    }
    Ok(summary)
}

/// The playbook a qualification runs under, and how it was chosen.
#[derive(Debug, Clone)]
pub struct PlaybookChoice<'c> {
    pub playbook: &'c Playbook,
    pub chosen: String,
}

/// Which playbook to qualify `lead` under: the one stored on the lead when it is still
/// configured, else the one routing gives now (not saved: routing a stored lead is
/// `route_lead`'s job). `None` without playbooks or when none fits.
pub fn playbook_for<'c>(config: &'c Config, stored: Option<&str>, lead: &Lead) -> Option<PlaybookChoice<'c>> {
    let playbooks = config.playbooks.as_ref()?;
    if let Some(playbook) = stored.and_then(|id| playbooks.get(id)) {
        return Some(PlaybookChoice { playbook, chosen: "the lead's playbook".to_owned() });
    }
    let routing = playbooks.route(lead);
    let playbook = routing.playbook.as_deref().and_then(|id| playbooks.get(id))?;
    let chosen = match stored {
        Some(gone) => format!(
            "the lead's playbook `{gone}` is no longer configured; routed for this decision: {}",
            routing.explanation
        ),
        None => format!("routed for this decision: {}", routing.explanation),
    };
    Some(PlaybookChoice { playbook, chosen })
}
