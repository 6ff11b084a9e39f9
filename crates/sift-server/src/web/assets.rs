//! Embedded assets: htmx (vendored from the npm package `htmx.org`, 0BSD licence beside it
//! in `assets/`), our stylesheet and our one small script (keyboard shortcuts). Their URLs
//! carry the version or a hash of the content, so they can be cached for a year; a new build
//! with a changed file gets a new URL.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

const HTMX: &[u8] = include_bytes!("../../assets/htmx-2.0.11.min.js");
const HTMX_PATH: &str = "/assets/htmx-2.0.11.min.js";
const CSS: &[u8] = include_bytes!("../../assets/sift.css");
const JS: &[u8] = include_bytes!("../../assets/sift.js");

/// FNV-1a of the stylesheet, so its URL changes when it does.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

static CSS_PATH: LazyLock<String> = LazyLock::new(|| format!("/assets/sift-{:016x}.css", fnv1a(CSS)));
static JS_PATH: LazyLock<String> = LazyLock::new(|| format!("/assets/sift-{:016x}.js", fnv1a(JS)));

pub fn css_path() -> &'static str {
    &CSS_PATH
}

pub fn js_path() -> &'static str {
    &JS_PATH
}

pub fn htmx_path() -> &'static str {
    HTMX_PATH
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HTMX_PATH, get(|| async { asset("text/javascript; charset=utf-8", HTMX) }))
        .route(css_path(), get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route(js_path(), get(|| async { asset("text/javascript; charset=utf-8", JS) }))
}
