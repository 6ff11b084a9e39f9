//! Playbooks: the segments in routing order (any signed-in user), routing one lead again
//! (managers and admins), and routing the leads the API creates.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use sift_app::playbooks::{OwnerOutcome, RouteMode, route_lead, route_new_lead};
use sift_core::playbook::{Assignment, Segment};
use sift_core::{Playbook, Routing};
use sift_store::StoredLead;

use crate::auth::Principal;
use crate::extract::ApiPath;
use crate::http::audit;
use crate::http::leads::{LeadView, visible_lead};
use crate::problem::ApiResult;
use crate::state::AppState;

/// A playbook as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlaybookView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The conditions a lead must fit (each optional): industries, countries, employees,
    /// annual_revenue, sources, stages.
    #[schema(value_type = Object)]
    pub segment: Segment,
    /// The framework its leads are qualified under.
    pub framework: String,
    /// Which ICP judges its leads' organization level.
    pub icp: String,
    /// User names, in turn order.
    pub owners: Vec<String>,
    /// round_robin or territory.
    pub assignment: String,
    /// For assignment by territory: country -> owner.
    #[schema(value_type = Object)]
    pub territories: std::collections::BTreeMap<String, String>,
}

impl From<&Playbook> for PlaybookView {
    fn from(p: &Playbook) -> PlaybookView {
        PlaybookView {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            segment: p.segment.clone(),
            framework: p.framework.clone(),
            icp: p.icp.describe(&p.id),
            owners: p.owners.clone(),
            assignment: p.assignment.name().to_owned(),
            territories: match &p.assignment {
                Assignment::Territory { territories } => {
                    territories.iter().map(|(c, o)| (c.to_string(), o.clone())).collect()
                }
                Assignment::RoundRobin => Default::default(),
            },
        }
    }
}

/// The playbooks in routing order (a lead goes to the first whose segment it fits); empty
/// when none are configured.
#[utoipa::path(get, path = "/api/v1/playbooks", tag = "playbooks", responses((status = 200, body = Vec<PlaybookView>)))]
pub async fn list(State(state): State<AppState>, _principal: Principal) -> Json<Vec<PlaybookView>> {
    let config = state.config();
    Json(config.playbooks.iter().flat_map(|p| p.playbooks.iter()).map(PlaybookView::from).collect())
}

/// Where a lead went and who owns it now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteResult {
    pub lead: LeadView,
    /// The playbook chosen (or none), the explanation, and every playbook tried with each
    /// condition's outcome.
    #[schema(value_type = Object)]
    pub routing: Routing,
    /// The owner now and why (territory, turn, kept, or nobody available).
    #[schema(value_type = Object)]
    pub owner: OwnerOutcome,
}

/// Routes a lead again with the playbooks in force: it goes to the first playbook it fits;
/// its owner stays if they are in that playbook's pool, else the pool gives one (by
/// territory, else in turn). Managers and admins; `409` when no playbooks are configured.
#[utoipa::path(post, path = "/api/v1/leads/{id}/route", tag = "playbooks", params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, body = RouteResult), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn route(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RouteResult>> {
    let lead = visible_lead(&state, &principal, id).await?;
    principal.require_lead_write(&lead)?;
    principal.require_manager()?;
    let config = state.config();
    let (routed, lead) = route_lead(&config, state.store(), id, RouteMode::Again).await?;
    audit(
        &state,
        &principal,
        "lead.routed",
        &format!("lead:{id}"),
        serde_json::json!({"playbook": routed.routing.playbook, "owner_id": routed.owner.owner_id}),
    )
    .await?;
    Ok(Json(RouteResult { lead: LeadView::from(&lead), routing: routed.routing, owner: routed.owner }))
}

/// Routes a lead the API just created, when playbooks are configured (an owner is given
/// only if it has none). A failure is logged and the lead returned as created: it exists,
/// and `POST /leads/{id}/route` can route it later.
pub async fn route_created(state: &AppState, lead: StoredLead) -> StoredLead {
    let config = state.config();
    let id = lead.id;
    match route_new_lead(&config, state.store(), lead.clone()).await {
        Ok((lead, _)) => lead,
        Err(e) => {
            tracing::warn!(lead = id, error = %e, "could not route a new lead");
            lead
        }
    }
}
