//! The OpenAPI 3.1 document, generated from the handlers' annotations, and a docs page
//! rendered on the server from it (no script, no external assets: it works offline).

use axum::Json;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, html};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;

use crate::http;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sift API",
        description = "Lead qualification with reasons: leads, the three-level gate, discovery calls, accounts. \
Authenticate with `Authorization: Bearer sift_...` (create a token at POST /api/v1/tokens from a signed-in session) \
or a session cookie from POST /api/v1/auth/login (then send `X-CSRF-Token` on changes). Every error is \
`application/problem+json` with a stable `type`."
    ),
    paths(
        http::health::healthz,
        http::health::readyz,
        http::health::metrics,
        http::session::login,
        http::session::logout,
        http::session::change_password,
        http::session::me,
        http::users::list,
        http::users::create,
        http::users::update,
        http::users::reset_password,
        http::tokens::list,
        http::tokens::create,
        http::tokens::revoke,
        http::leads::list,
        http::leads::get,
        http::leads::create,
        http::leads::replace,
        http::leads::delete,
        http::leads::bulk,
        http::leads::move_stage,
        http::leads::record_activity,
        http::qualify::qualify_unsaved,
        http::qualify::qualify_lead,
        http::calls::analyze,
        http::calls::attach,
        http::calls::list_for_lead,
        http::calls::get,
        http::audit_log::list,
        http::config::list,
        http::config::get_single,
        http::config::put_single,
        http::config::delete_single,
        http::config::get_named,
        http::config::put_named,
        http::config::delete_named,
        http::playbooks::list,
        http::playbooks::route,
        http::jobs::list,
        http::jobs::get,
        http::imports::upload,
        http::imports::preview,
        http::imports::start,
        http::imports::rejects,
        http::models::train,
        http::models::list,
        http::models::get,
        http::models::activate,
        http::models::rescore,
        http::models::score_lead,
        http::webhooks::list,
        http::webhooks::create,
        http::webhooks::get,
        http::webhooks::update,
        http::webhooks::delete,
        http::webhooks::deliveries,
        http::webhooks::redeliver,
        http::webhooks::events,
    ),
    components(schemas(
        crate::problem::Problem,
        crate::problem::FieldError,
        http::config::SingleDocument,
        http::config::Collection
    )),
    modifiers(&Security),
    tags(
        (name = "leads", description = "Search, read, create, change and move leads"),
        (name = "qualification", description = "The three-level gate"),
        (name = "calls", description = "Discovery-call analysis"),
        (name = "accounts", description = "Sign-in, users, tokens, audit log"),
        (name = "configuration", description = "ICP, lead-type rules, playbooks, frameworks and lexicons as TOML, checked with located errors"),
        (name = "playbooks", description = "Segments with their own framework, ICP and owners; routing"),
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "jobs", description = "Background jobs: status, progress, result"),
        (name = "imports", description = "CSV upload, mapping preview, import as a job, rejected rows"),
        (name = "scoring", description = "Models trained on stored outcomes, scores with their factors"),
        (name = "webhooks", description = "Webhooks out (Standard Webhooks signatures), delivery log, event outbox"),
    )
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("an API token, `sift_...`")).build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
        problems_everywhere(openapi);
    }
}

/// Every error answer is `application/problem+json`: documented errors say so, and every
/// operation gets a `default` answer for the errors any request can meet (401, 403, 413,
/// 415, 422, 429, 5xx).
fn problems_everywhere(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
    let problem =
        || ContentBuilder::new().schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem")))).build();
    for item in openapi.paths.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            for (status, response) in op.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let (true, RefOr::T(r)) = (is_error, response) {
                    if let Some(content) = r.content.shift_remove("application/json") {
                        r.content.insert("application/problem+json".to_owned(), content);
                    }
                }
            }
            op.responses.responses.entry("default".to_owned()).or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description("an error, as a problem document with a stable `type`")
                        .content("application/problem+json", problem())
                        .build(),
                )
            });
        }
    }
}

/// The document, built once.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

/// `GET /api/docs`: every operation with its parameters, body and answers.
pub async fn page() -> Html<String> {
    let doc = openapi();
    let ops: Vec<(String, &'static str, &Operation)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [
                ("GET", item.get.as_ref()),
                ("POST", item.post.as_ref()),
                ("PUT", item.put.as_ref()),
                ("PATCH", item.patch.as_ref()),
                ("DELETE", item.delete.as_ref()),
            ]
            .into_iter()
            .filter_map(move |(m, op)| op.map(|op| (path.clone(), m, op)))
        })
        .collect();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Sift API" }
                link rel="stylesheet" href="/assets/docs.css";
            }
            body {
                main {
                    h1 { "Sift API " small { (doc.info.version) } }
                    @if let Some(d) = &doc.info.description { p { (d) } }
                    p { "Machine-readable: " a href="/api/v1/openapi.json" { "/api/v1/openapi.json" } " (OpenAPI 3.1)." }
                    nav { ul { @for (path, method, op) in &ops { li { a href={ "#" (method) (path) } { code { (method) " " (path) } } @if let Some(s) = &op.summary { " " (s) } } } } }
                    @for (path, method, op) in &ops {
                        section id={ (method) (path) } {
                            h2 { code { (method) " " (path) } }
                            @if let Some(s) = &op.summary { p { strong { (s) } } }
                            @if let Some(d) = &op.description { p { (d) } }
                            @if let Some(params) = &op.parameters {
                                h3 { "Parameters" }
                                table { thead { tr { th { "name" } th { "in" } th { "required" } th { "description" } } }
                                    tbody { @for p in params.iter().filter_map(|p| match p { utoipa::openapi::RefOr::T(p) => Some(p), _ => None }) { tr {
                                        td { code { (p.name) } }
                                        td { (serde_json::to_value(&p.parameter_in).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()) }
                                        td { (if matches!(p.required, utoipa::openapi::Required::True) { "yes" } else { "no" }) }
                                        td { (p.description.clone().unwrap_or_default()) }
                                    } } }
                                }
                            }
                            @if let Some(utoipa::openapi::RefOr::T(body)) = &op.request_body {
                                h3 { "Request body" }
                                p { @for ct in body.content.keys() { code { (ct) } " " } }
                                @if let Some(d) = &body.description { p { (d) } }
                            }
                            h3 { "Responses" }
                            ul { @for (status, _) in &op.responses.responses { li { code { (status) } } } }
                        }
                    }
                }
            }
        }
    };
    Html(markup.into_string())
}

pub const DOCS_CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}h1 small{font-size:.6em;color:#555}\
section{border-top:1px solid #ddd;margin-top:1.5rem}code{font:13px ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}\
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}\
nav ul{columns:2;padding-left:1rem}a{color:#0b57d0}";
