//! Sift's team server: the HTTP API over the use cases of `sift-app`. No business rules live
//! here: handlers extract, authorise (`auth`), call a use case, and render; every error is a
//! problem document (`problem`).
//!
//! `router(state)` builds the whole application, so tests can call it directly; `start`
//! binds a socket, creates the first admin on an empty database, and serves until told to
//! stop, draining the requests in flight.

pub mod auth;
pub mod extract;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod metrics;
pub mod problem;
pub mod settings;
pub mod state;
pub mod web;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sift_app::Config;
use sift_app::accounts::Passwords;
use sift_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::metrics::{RequestLabels, RouteLabels};
use crate::problem::{ApiError, Kind};
use crate::settings::Settings;
use crate::state::AppState;

/// Largest transcript accepted by `POST /api/v1/calls/analyze`.
const MAX_TRANSCRIPT_BYTES: usize = sift_app::calls::MAX_TRANSCRIPT_BYTES as usize;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max_body = state.settings().max_body_bytes;
    let api = http::api()
        .route(
            "/calls/analyze",
            axum::routing::post(http::calls::analyze).layer(DefaultBodyLimit::max(MAX_TRANSCRIPT_BYTES)),
        )
        .route(
            "/leads/{id}/calls",
            get(http::calls::list_for_lead)
                .post(http::calls::attach)
                .layer(DefaultBodyLimit::max(MAX_TRANSCRIPT_BYTES)),
        )
        .route("/calls/{id}", get(http::calls::get))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    Router::new()
        .route("/healthz", get(http::health::healthz))
        .route("/readyz", get(http::health::readyz))
        .route("/metrics", get(http::health::metrics))
        .route("/api/docs", get(http::docs::page))
        .route(
            "/assets/docs.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], http::docs::DOCS_CSS) }),
        )
        .nest("/api/v1", api)
        .merge(web::routes(state.clone()))
        .fallback(|| async { ApiError::new(Kind::NotFound, "no such route; the API is under /api/v1 (see /api/docs)") })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(middleware::from_fn(problem_for_every_error))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal("a handler panicked").into_response()))
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state)
}

/// Counts and times every request by route pattern and status.
async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = state.metrics();
    metrics
        .latency
        .get_or_create(&RouteLabels { method: method.clone(), route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { method, route, status: response.status().as_u16() }).inc();
    response
}

/// Turns every error response that is not yet a problem document (an unknown route, a
/// method not allowed, a body over the limit, a panic) into one.
async fn problem_for_every_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // The web app's own error pages are HTML in the user's language.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_page {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    if is_problem {
        return response;
    }
    let kind = Kind::from_status(status);
    let detail = match kind {
        Kind::MethodNotAllowed => "this route does not answer that method".to_owned(),
        Kind::PayloadTooLarge => "the request body is over the size limit".to_owned(),
        Kind::NotFound => "no such route".to_owned(),
        _ => kind.title().to_owned(),
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = ApiError::new(kind, detail).into_response();
    *problem.status_mut() = status;
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// Request budgets per credential (or address); sign-in attempts per address.
pub(crate) async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let ip = request.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let path = request.uri().path();
    if path.ends_with("/auth/login")
        || (path == crate::web::SIGN_IN_PATH && request.method() == axum::http::Method::POST)
    {
        if let Some(ip) = ip {
            if let Err(wait) = state.limiters().check_sign_in(ip) {
                if path == crate::web::SIGN_IN_PATH {
                    return crate::web::too_many_sign_ins(&request, wait);
                }
                return too_many(wait, "too many sign-in attempts from this address");
            }
        }
    }
    let credential = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(sift_app::accounts::secret_hash)
        .or_else(|| {
            request.headers().get(header::COOKIE).and_then(|v| v.to_str().ok()).map(sift_app::accounts::secret_hash)
        });
    let key = credential.or_else(|| ip.map(|ip| ip.to_string()));
    if let Some(key) = key {
        if let Err(wait) = state.limiters().check_request(&key) {
            return too_many(wait, "too many requests with these credentials");
        }
    }
    next.run(request).await
}

fn too_many(wait: u64, detail: &str) -> Response {
    let mut e = ApiError::new(Kind::RateLimited, format!("{detail}; try again in {wait} s"));
    e.retry_after = Some(wait);
    e.into_response()
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    /// On an empty database: the first admin's user name and one-time password.
    pub first_admin: Option<(String, String)>,
    pub state: AppState,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    workers: jobs::Workers,
}

impl Running {
    /// Stops accepting connections and claiming jobs, lets requests and jobs in flight
    /// finish (up to the grace period; jobs still running then are released for another
    /// process), and returns.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        let grace = Duration::from_secs(self.state.settings().shutdown_grace_seconds);
        let started = Instant::now();
        let served = match tokio::time::timeout(grace, self.task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(std::io::Error::other(join)),
            Err(_) => {
                tracing::warn!("requests still running after the grace period; stopping anyway");
                Ok(())
            }
        };
        self.workers.drain(grace.saturating_sub(started.elapsed())).await;
        served
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn until(self, signal: impl std::future::Future<Output = ()>) -> std::io::Result<()> {
        signal.await;
        tracing::info!("shutting down: finishing requests in flight");
        self.shutdown().await
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] settings::SettingsError),
    #[error(transparent)]
    App(#[from] sift_app::AppError),
    #[error(transparent)]
    Store(#[from] sift_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// Opens the database, makes sure an admin exists, binds and serves in the background.
pub async fn start(settings: Settings, config: Config) -> Result<Running, StartError> {
    settings.check()?;
    let store = Store::connect(&settings.database_url).await?;
    if !store.text_search_indexed().await.unwrap_or(true) {
        tracing::warn!(
            "free-text search is not indexed: the PostgreSQL extension pg_trgm could not be created; searches scan \
             every lead (same results, slow with many leads). Run `CREATE EXTENSION pg_trgm` as a role with CREATE \
             on the database; the next start builds the index"
        );
    }
    let passwords = Passwords::new(settings.argon2_memory_kib, settings.argon2_iterations)?;
    let first_admin = sift_app::accounts::ensure_first_admin(&store, &passwords)
        .await?
        .map(|(user, password)| (user.username, password));
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .map_err(|source| StartError::Bind { addr: settings.bind, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: settings.bind, source })?;
    let state = AppState::new(store, config, settings, passwords);
    let env = sift_app::jobs::JobEnv {
        store: state.store().clone(),
        data_dir: state.settings().data_dir.clone(),
        sender: sift_app::webhooks::Sender::new(http::webhooks::policy(state.settings()))?,
        retry_base: Duration::from_secs(state.settings().job_retry_base_seconds),
    };
    let workers = jobs::Workers::start(&state, env);
    let app = router(state.clone());
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    http::config::spawn_watch(state.clone(), stopped.clone());
    let housekeeping_state = state.clone();
    let mut housekeeping_stop = stopped.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            tokio::select! {
                _ = every.tick() => {
                    housekeeping_state.limiters().tidy();
                    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                    if let Err(e) = housekeeping_state.store().delete_expired_sessions(&now).await {
                        tracing::warn!(error = %e, "could not remove expired sessions");
                    }
                }
                _ = housekeeping_stop.changed() => break,
            }
        }
    });
    let task = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    Ok(Running { addr, first_admin, state, stop, task, workers })
}

/// Installs the log subscriber: readable lines, or JSON objects with `--log-format json`.
/// `RUST_LOG` filters (default: info for Sift, warnings for libraries).
pub fn init_logging(format: settings::LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,sift=info,sift_server=info,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        settings::LogFormat::Json => builder.json().try_init(),
        settings::LogFormat::Text => builder.try_init(),
    };
}
