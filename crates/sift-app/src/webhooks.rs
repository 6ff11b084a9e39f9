//! Webhooks out: subscriptions, Standard Webhooks signatures, delivery with retries.
//!
//! Events are written to the outbox by the changes themselves (see `sift_store::events`);
//! [`dispatch`] turns them into one delivery job per subscribed webhook, and the job runs
//! [`Sender::deliver`]: one signed POST, its answer kept in the delivery log.
//!
//! Signatures follow the Standard Webhooks specification (1.0): the headers `webhook-id`
//! (the event's id, the same on every attempt, so receivers can drop repeats),
//! `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`
//! (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the bytes behind the
//! `whsec_` secret).
//!
//! Server-side request forgery: a webhook URL is chosen by an admin, but the server sends
//! requests from inside the network it runs in. Unless `allow_private` is set, targets that
//! resolve to loopback, private, link-local (cloud metadata), shared, multicast or reserved
//! addresses are refused, when the webhook is created and again at every delivery, by the
//! resolver the HTTP client connects through (so a DNS answer that changes after the check
//! cannot slip through). Redirects are not followed, and proxy settings from the
//! environment are ignored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sift_store::events::{Delivery, DeliveryJobs, Dispatched, NewDelivery, NewWebhook, Webhook};
use sift_store::jobs::NewJob;
use sift_store::{EventKind, Job, Store};

use crate::error::{AppError, Result};
use crate::jobs::{Finished, Outcome};

/// The job kind that delivers one event to one webhook.
pub const DELIVER_KIND: &str = "webhook.deliver";
/// Attempts per delivery: with the default 10 s base, retries back off over about 3 hours
/// (10 s, 20 s, 40 s ... capped at 6 h per wait).
pub const DELIVERY_ATTEMPTS: i64 = 10;
/// How much of a receiver's answer the delivery log keeps.
pub const RESPONSE_KEPT_BYTES: usize = 1024;
/// Longest webhook URL accepted.
const MAX_URL_CHARS: usize = 2000;
/// Bytes of randomness in a new secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// Where webhooks may point, and how long a receiver may take.
#[derive(Debug, Clone, Copy)]
pub struct WebhookPolicy {
    /// Allow loopback and private targets (tests; an intranet receiver on purpose).
    pub allow_private: bool,
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy { allow_private: false, timeout: Duration::from_secs(15) }
    }
}

/// A new signing secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Unavailable(format!("the system random source failed: {e}")))?;
    Ok(format!("whsec_{}", STANDARD.encode(bytes)))
}

fn secret_key(secret: &str) -> Result<Vec<u8>> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD.decode(encoded).map_err(|_| AppError::invalid("secret", "a webhook secret is `whsec_` followed by base64"))
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Result<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|_| AppError::invalid("secret", "the webhook secret cannot key HMAC-SHA256"))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` value for one attempt: `v1,<base64 HMAC-SHA256>`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let code = mac(&secret_key(secret)?, id, timestamp, body)?.finalize().into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(code)))
}

/// Checks a `webhook-signature` header (a space-separated list; one valid `v1` entry is
/// enough) in constant time, as a receiver does. The timestamp's age is the receiver's to
/// judge.
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(key) = secret_key(secret) else { return false };
    header.split(' ').filter_map(|entry| entry.strip_prefix("v1,")).any(|b64| {
        let Ok(given) = STANDARD.decode(b64) else { return false };
        mac(&key, id, timestamp, body).is_ok_and(|m| m.verify_slice(&given).is_ok())
    })
}

/// True for addresses on the public internet: not loopback, private, link-local, shared
/// (CGNAT), multicast, broadcast, documentation, benchmarking or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || s[0] == 0x2001 && s[1] == 0x0db8
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1]))
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (18..20).contains(&o[1]))
        || o[0] >= 240)
}

/// Reads a webhook URL: http or https, a host, no user name or password (they would end
/// up in logs), at most 2,000 characters.
pub fn parse_url(raw: &str) -> Result<reqwest::Url> {
    let raw = raw.trim();
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(AppError::invalid("url", format!("at most {MAX_URL_CHARS} characters")));
    }
    let url = reqwest::Url::parse(raw).map_err(|e| AppError::invalid("url", format!("`{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::invalid("url", format!("`{}` URLs are not allowed; use http or https", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(AppError::invalid("url", "the URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::invalid("url", "put no user name or password in the URL; receivers check the signature"));
    }
    Ok(url)
}

/// Refuses a target that is not on the public internet (unless the policy allows it):
/// an IP address in the URL, or every address its host name resolves to.
pub async fn check_target(url: &reqwest::Url, policy: &WebhookPolicy) -> Result<()> {
    if policy.allow_private {
        return Ok(());
    }
    let refused = |what: String| {
        AppError::invalid(
            "url",
            format!(
                "{what}: webhooks go to public addresses only (an admin can allow private targets in the server settings)"
            ),
        )
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
            Err(refused(format!("`{ip}` is not a public address")))
        }
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            Err(refused(format!("`{ip}` is not a public address")))
        }
        Some(url::Host::Domain(host)) => {
            let port = url.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| AppError::invalid("url", format!("`{host}` cannot be resolved: {e}")))?
                .collect();
            if addrs.iter().any(|a| !is_public(a.ip())) || addrs.is_empty() {
                return Err(refused(format!("`{host}` resolves to a non-public address")));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads event kind names; every unknown one is reported.
pub fn parse_events(names: &[String]) -> Result<Vec<EventKind>> {
    if names.is_empty() {
        return Err(AppError::invalid("events", "name at least one event kind"));
    }
    let mut kinds = Vec::new();
    let mut problems = Vec::new();
    for name in names {
        match name.trim().parse::<EventKind>() {
            Ok(k) if !kinds.contains(&k) => kinds.push(k),
            Ok(_) => {}
            Err(e) => problems.push(sift_core::Diagnostic { source: "events".into(), location: None, message: e }),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(sift_core::Diagnostics(problems)));
    }
    Ok(kinds)
}

/// A webhook to create.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub events: &'a [String],
    pub description: Option<&'a str>,
}

/// Creates a webhook; returns it with its secret, which is shown this once.
pub async fn create(
    store: &Store,
    new: &NewSubscription<'_>,
    created_by: Option<i64>,
    policy: &WebhookPolicy,
) -> Result<(Webhook, String)> {
    let url = parse_url(new.url)?;
    let events = parse_events(new.events)?;
    if let Some(d) = new.description
        && d.chars().count() > 500
    {
        return Err(AppError::invalid("description", "at most 500 characters"));
    }
    check_target(&url, policy).await?;
    let secret = new_secret()?;
    let hook = store
        .create_webhook(&NewWebhook {
            url: url.as_str(),
            events: &events,
            secret: &secret,
            description: new.description.map(str::trim).filter(|d| !d.is_empty()),
            created_by,
        })
        .await?;
    Ok((hook, secret))
}

fn no_webhook(id: i64) -> AppError {
    AppError::NotFound { what: "webhook", key: id.to_string(), hint: String::new() }
}

/// A webhook, or not found.
pub async fn webhook(store: &Store, id: i64) -> Result<Webhook> {
    store.webhook(id).await?.ok_or_else(|| no_webhook(id))
}

/// A webhook with its latest delivery attempt, for a list.
#[derive(Debug, Clone)]
pub struct WebhookOverview {
    pub webhook: Webhook,
    pub last_delivery: Option<Delivery>,
}

/// Every webhook with its latest delivery attempt (webhooks are few: one query each).
pub async fn overview(store: &Store) -> Result<Vec<WebhookOverview>> {
    let mut list = Vec::new();
    for webhook in store.webhooks().await? {
        let last_delivery = store.deliveries(webhook.id, None, None, 1).await?.into_iter().next();
        list.push(WebhookOverview { webhook, last_delivery });
    }
    Ok(list)
}

/// A change to a webhook: pause or resume (`actor` is named as the reason), its event kinds,
/// its address.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookChange<'a> {
    pub paused: Option<bool>,
    pub events: Option<&'a [String]>,
    pub url: Option<&'a str>,
}

/// Pauses, resumes, or changes the event kinds or the address of a webhook. Everything is
/// checked before anything is written: every unknown kind is reported, and a new address is
/// checked as on creation (`policy`); then nothing changes. The secret stays the same, and
/// deliveries already queued go to the new address. Returns the webhook as it is now.
pub async fn update(
    store: &Store,
    id: i64,
    change: &WebhookChange<'_>,
    actor: &str,
    policy: &WebhookPolicy,
) -> Result<Webhook> {
    webhook(store, id).await?;
    let events = change.events.map(parse_events).transpose()?;
    let url = change.url.map(parse_url).transpose()?;
    if let Some(url) = &url {
        check_target(url, policy).await?;
    }
    if let Some(events) = &events {
        store.set_webhook_events(id, events).await?;
    }
    if let Some(url) = &url {
        store.set_webhook_url(id, url.as_str()).await?;
    }
    if let Some(paused) = change.paused {
        let reason = format!("paused by {actor}");
        store.set_webhook_paused(id, paused, Some(&reason)).await?;
    }
    webhook(store, id).await
}

/// Deletes a webhook and its delivery log; queued deliveries to it are skipped.
pub async fn delete(store: &Store, id: i64) -> Result<()> {
    if store.delete_webhook(id).await? { Ok(()) } else { Err(no_webhook(id)) }
}

/// A webhook's delivery attempts, newest first: `limit` of them, for one event or all,
/// older than the delivery `before` when paging back.
pub async fn deliveries(
    store: &Store,
    id: i64,
    event: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Delivery>> {
    webhook(store, id).await?;
    Ok(store.deliveries(id, event, before, limit).await?)
}

/// Turns waiting events into delivery jobs (see `Store::dispatch_events`).
pub async fn dispatch(store: &Store, limit: i64) -> Result<Dispatched> {
    Ok(store.dispatch_events(limit, DeliveryJobs { kind: DELIVER_KIND, max_attempts: DELIVERY_ATTEMPTS }).await?)
}

/// Queues another delivery of an event to a webhook (same `webhook-id`); returns the job.
/// A delivery of that event to that webhook already queued or running is a conflict.
pub async fn redeliver(store: &Store, webhook_id: i64, event_id: i64, created_by: Option<i64>) -> Result<i64> {
    let missing = |what: &'static str, id: i64| AppError::NotFound { what, key: id.to_string(), hint: String::new() };
    store.webhook(webhook_id).await?.ok_or_else(|| missing("webhook", webhook_id))?;
    store.event(event_id).await?.ok_or_else(|| missing("event", event_id))?;
    let job = NewJob {
        kind: DELIVER_KIND,
        payload: serde_json::json!({ "event_id": event_id, "webhook_id": webhook_id, "manual": true }),
        max_attempts: DELIVERY_ATTEMPTS,
        run_at: None,
        dedupe_key: Some(format!("webhook:{event_id}:{webhook_id}")),
        created_by,
    };
    store.enqueue_job(&job).await?.ok_or_else(|| {
        AppError::Conflict(format!(
            "a delivery of event {event_id} to webhook {webhook_id} is already queued or running"
        ))
    })
}

/// Resolves host names for the webhook client, dropping non-public addresses unless the
/// policy allows them; a host left with none fails to connect.
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(format!("`{host}` resolves to no public address").into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliverPayload {
    event_id: i64,
    webhook_id: i64,
    #[serde(default)]
    manual: bool,
}

/// The HTTP client webhooks go out through.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: WebhookPolicy,
}

impl Sender {
    pub fn new(policy: WebhookPolicy) -> Result<Sender> {
        // rustls needs a crypto provider; a second install (another Sender) is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .dns_resolver(Arc::new(PublicOnly { allow_private: policy.allow_private }))
            .user_agent(concat!("Sift-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AppError::Unavailable(format!("cannot start the webhook client: {e}")))?;
        Ok(Sender { client, policy })
    }

    /// Delivers one event to one webhook (the job's payload) and records the attempt.
    pub async fn deliver(&self, store: &Store, job: &Job) -> Finished {
        match self.deliver_inner(store, job).await {
            Ok(finished) => finished,
            Err(e) if e.is_invalid_input() => Finished::plain(Outcome::Failed(e.to_string())),
            Err(e) => Finished::plain(Outcome::Retry { error: e.to_string(), after: None }),
        }
    }

    async fn deliver_inner(&self, store: &Store, job: &Job) -> Result<Finished> {
        let p: DeliverPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| AppError::invalid("payload", format!("not a webhook delivery: {e}")))?;
        let skipped = |why: &str, kind: Option<&str>| Finished {
            outcome: Outcome::Done(serde_json::json!({ "skipped": why })),
            delivery: kind.map(|k| (k.to_owned(), "skipped")),
        };
        let Some(event) = store.event(p.event_id).await? else { return Ok(skipped("the event is gone", None)) };
        let Some(hook) = store.webhook(p.webhook_id).await? else {
            return Ok(skipped("the webhook was deleted", Some(&event.kind)));
        };
        if hook.paused && !p.manual {
            return Ok(skipped("the webhook is paused", Some(&event.kind)));
        }
        let url = parse_url(&hook.url)?;
        // Literal addresses never reach the resolver: check them here.
        check_literal(&url, &self.policy)?;
        let body = event.webhook_body();
        let timestamp = chrono::Utc::now().timestamp();
        let signature = sign(&hook.secret, &event.public_id, timestamp, body.as_bytes())?;
        let started = Instant::now();
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", event.public_id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let (status, response, error, retry_after) = match sent {
            Ok(mut r) => {
                let status = r.status();
                let retry_after = r
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let mut kept = Vec::new();
                while kept.len() < RESPONSE_KEPT_BYTES {
                    match r.chunk().await {
                        Ok(Some(chunk)) => {
                            kept.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_KEPT_BYTES - kept.len())])
                        }
                        _ => break,
                    }
                }
                let text = String::from_utf8_lossy(&kept).into_owned();
                (Some(status), Some(text), None, retry_after)
            }
            Err(e) => (None, None, Some(describe(&e)), None),
        };
        let duration_ms = started.elapsed().as_millis() as i64;
        let (outcome_name, outcome) = match status {
            Some(s) if s.is_success() => {
                ("delivered", Outcome::Done(serde_json::json!({ "status": s.as_u16(), "webhook_id": event.public_id })))
            }
            Some(s) if s.as_u16() == 410 => {
                let reason = format!("the receiver answered 410 Gone on {}", sift_store::db::now());
                store.set_webhook_paused(hook.id, true, Some(&reason)).await?;
                ("gone", Outcome::Done(serde_json::json!({ "status": 410, "paused": reason })))
            }
            Some(s) => (
                "failed",
                Outcome::Retry { error: format!("the receiver answered {}", s.as_u16()), after: retry_after },
            ),
            None => {
                ("failed", Outcome::Retry { error: error.clone().unwrap_or_else(|| "no answer".into()), after: None })
            }
        };
        let failure = match (&outcome, status) {
            (Outcome::Retry { error, .. }, _) => Some(error.clone()),
            _ => None,
        };
        store
            .record_delivery(&NewDelivery {
                webhook_id: hook.id,
                event_id: event.id,
                job_id: Some(job.id),
                attempt: job.attempts,
                status_code: status.map(|s| i64::from(s.as_u16())),
                response: response.as_deref(),
                error: failure.as_deref(),
                duration_ms,
                outcome: outcome_name,
            })
            .await?;
        Ok(Finished { outcome, delivery: Some((event.kind.clone(), outcome_name)) })
    }
}

fn check_literal(url: &reqwest::Url, policy: &WebhookPolicy) -> Result<()> {
    if policy.allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(AppError::invalid("url", format!("`{ip}` is not a public address; webhooks go to public addresses only")))
    }
}

/// A delivery error in one line: what failed (timeout, connection, the resolver's refusal).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer within the timeout"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() { what.to_owned() } else { format!("{what}: {cause}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_scheme() {
        // The reference vector the Standard Webhooks libraries share (also reproduced with
        // Python's hmac module when this test was written).
        let reference = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(reference.expect("sign"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let secret = format!("whsec_{}", STANDARD.encode(b"test-secret-key-bytes-32-long!!!"));
        let sig = sign(&secret, "msg_1", 1_700_000_000, b"{}").expect("sign");
        assert_eq!(sig, "v1,hyC87sNLFxzReiKlf0Fu/qSQWuVQP5bkWbRYwm4KCfI=", "Python's hmac gives the same");
        assert!(verify(&secret, "msg_1", 1_700_000_000, b"{}", &sig));
        assert!(verify(&secret, "msg_1", 1_700_000_000, b"{}", &format!("v1,AAAA {sig}")), "any entry may match");
        assert!(!verify(&secret, "msg_1", 1_700_000_001, b"{}", &sig), "timestamp is signed");
        assert!(!verify(&secret, "msg_2", 1_700_000_000, b"{}", &sig), "id is signed");
        assert!(!verify(&secret, "msg_1", 1_700_000_000, b"{ }", &sig), "body is signed");
        assert!(!verify(&new_secret().expect("secret"), "msg_1", 1_700_000_000, b"{}", &sig));
        let fresh = new_secret().expect("secret");
        assert!(fresh.starts_with("whsec_"));
        assert_eq!(secret_key(&fresh).expect("base64").len(), SECRET_BYTES);
    }

    #[test]
    fn only_public_addresses_are_public() {
        let check = |ip: &str, public: bool| assert_eq!(is_public(ip.parse().expect("ip")), public, "{ip}");
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
        ] {
            check(ip, false);
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            check(ip, true);
        }
    }

    #[tokio::test]
    async fn webhook_urls_are_http_with_a_public_host() {
        let strict = WebhookPolicy::default();
        for (raw, fragment) in [
            ("ftp://example.com/x", "`ftp` URLs are not allowed"),
            ("file:///etc/passwd", "`file` URLs are not allowed"),
            ("not a url", "is not a URL"),
            ("http://user:pw@example.com/", "no user name or password"),
        ] {
            let e = parse_url(raw).expect_err(raw).to_string();
            assert!(e.contains(fragment), "{raw}: {e}");
        }
        for raw in
            ["http://127.0.0.1:9/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://localhost:9/"]
        {
            let url = parse_url(raw).expect("syntax is fine");
            let e = check_target(&url, &strict).await.expect_err(raw).to_string();
            assert!(e.contains("public"), "{raw}: {e}");
        }
        let url = parse_url("http://127.0.0.1:9/x").expect("url");
        check_target(&url, &WebhookPolicy { allow_private: true, ..strict }).await.expect("allowed in tests");
    }
}
