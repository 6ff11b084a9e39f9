//! Accounts: users and their passwords (argon2id), browser sessions, API tokens. Used by
//! `sift users ...` and by the server; secrets are shown once and stored only as hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sift_store::accounts::{ApiToken, NewToken, NewUser, Role, Scope, Session, User, UserChanged, UserUpdate};
use sift_store::{Store, StoreError};

use crate::error::{AppError, Result};

/// Hashes and checks passwords with argon2id. The cost is a setting: the default is
/// argon2's recommendation (19 MiB, 2 passes); tests use the minimum to stay fast.
#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    /// A hash of a random password, verified against when a user name is unknown, so that
    /// sign-in takes as long for a wrong name as for a wrong password.
    decoy: String,
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Passwords> {
        let params = Params::new(memory_kib, iterations, 1, None).map_err(|e| {
            AppError::invalid("settings", format!("argon2 cost `{memory_kib}` KiB x `{iterations}` is invalid: {e}"))
        })?;
        let mut passwords = Passwords { params, decoy: String::new() };
        passwords.decoy = passwords.hash(&random_secret(16)?)?;
        Ok(passwords)
    }

    /// argon2's recommended cost (19 MiB, 2 passes).
    pub fn recommended() -> Result<Passwords> {
        Passwords::new(Params::DEFAULT_M_COST, Params::DEFAULT_T_COST)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String> {
        self.argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Conflict(format!("cannot hash the password: {e}")))
    }

    /// True when `password` matches the stored `hash` (with the hash's own parameters).
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| self.argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    }
}

/// `bytes` random bytes from the operating system, base64url without padding.
pub fn random_secret(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::Unavailable(format!("the system random source failed: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// The SHA-256 of a secret, hex: what the store keeps of sessions and tokens. Secrets are
/// 256-bit random values, so a fast hash is enough (nothing to brute-force).
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Passwords must be 12 to 1,024 characters; nothing else is imposed (length beats rules).
pub fn check_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < 12 {
        return Err(AppError::invalid(
            "password",
            format!("a password needs at least 12 characters; this one has {n}"),
        ));
    }
    if n > 1024 {
        return Err(AppError::invalid("password", "a password may have at most 1,024 characters"));
    }
    Ok(())
}

/// User names: 1 to 64 characters among letters, digits, `.`, `_`, `-` and `@`.
pub fn check_username(username: &str) -> Result<()> {
    let ok = !username.is_empty()
        && username.chars().count() <= 64
        && username.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "username",
            format!("`{username}` is not a valid user name: use 1 to 64 letters, digits, `.`, `_`, `-` or `@`"),
        ))
    }
}

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const READABLE: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A one-time password: four groups of five readable characters (about 99 bits).
fn one_time_password() -> Result<String> {
    let mut chars = Vec::with_capacity(20);
    while chars.len() < 20 {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf)
            .map_err(|e| AppError::Unavailable(format!("the system random source failed: {e}")))?;
        // Rejection sampling keeps every character equally likely (248 = 8 * 31).
        chars.extend(buf.iter().filter(|b| **b < 248).map(|b| char::from(READABLE[usize::from(*b) % READABLE.len()])));
    }
    chars.truncate(20);
    Ok(chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

fn duplicate_or(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
        other => other.into(),
    }
}

/// On an empty database, creates the first admin with a one-time password (to be changed
/// at first sign-in) and returns both; otherwise `None`. Safe when several servers start at
/// once: only one creates the admin.
pub async fn ensure_first_admin(store: &Store, passwords: &Passwords) -> Result<Option<(User, String)>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let password = one_time_password()?;
    let hash = passwords.hash(&password)?;
    let new = NewUser {
        username: "admin",
        display_name: Some("Administrator"),
        role: Role::Admin,
        team: None,
        language: None,
        password_hash: &hash,
        must_change_password: true,
    };
    match store.create_user(&new).await {
        Ok(user) => Ok(Some((user, password))),
        Err(StoreError::Duplicate(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A user to add.
#[derive(Debug, Clone)]
pub struct AddUser<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub role: Role,
    pub team: Option<&'a str>,
    pub language: Option<&'a str>,
    /// `None`: a one-time password is made, and must be changed at first sign-in.
    pub password: Option<&'a str>,
}

/// Adds a user; returns the user and the one-time password when one was made.
pub async fn add_user(store: &Store, passwords: &Passwords, add: &AddUser<'_>) -> Result<(User, Option<String>)> {
    check_username(add.username)?;
    let (password, one_time) = match add.password {
        Some(p) => {
            check_password(p)?;
            (p.to_owned(), None)
        }
        None => {
            let p = one_time_password()?;
            (p.clone(), Some(p))
        }
    };
    let hash = passwords.hash(&password)?;
    let user = store
        .create_user(&NewUser {
            username: add.username,
            display_name: add.display_name,
            role: add.role,
            team: add.team,
            language: add.language,
            password_hash: &hash,
            must_change_password: one_time.is_some(),
        })
        .await
        .map_err(duplicate_or)?;
    Ok((user, one_time))
}

/// A user by name, or not found.
pub async fn user_named(store: &Store, username: &str) -> Result<User> {
    store.user_with_password(username).await?.map(|(u, _)| u).ok_or_else(|| AppError::NotFound {
        what: "user",
        key: username.to_owned(),
        hint: String::new(),
    })
}

/// A user by id, or not found.
pub async fn user_by_id(store: &Store, id: i64) -> Result<User> {
    store.user(id).await?.ok_or_else(|| AppError::NotFound { what: "user", key: id.to_string(), hint: String::new() })
}

/// Gives a user a new one-time password (their sessions end); returns it.
pub async fn reset_password(store: &Store, passwords: &Passwords, user_id: i64) -> Result<String> {
    let password = one_time_password()?;
    store.set_password(user_id, &passwords.hash(&password)?, true).await.map_err(not_found_user(user_id))?;
    Ok(password)
}

fn not_found_user(id: i64) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound(_) => AppError::NotFound { what: "user", key: id.to_string(), hint: String::new() },
        other => other.into(),
    }
}

/// Changes a user's own password after checking the current one; every session ends.
pub async fn change_password(
    store: &Store,
    passwords: &Passwords,
    user: &User,
    current: &str,
    new: &str,
) -> Result<()> {
    let Some((_, hash)) = store.user_with_password(&user.username).await? else {
        return Err(AppError::NotFound { what: "user", key: user.username.clone(), hint: String::new() });
    };
    if !passwords.verify(current, &hash) {
        return Err(AppError::invalid("current_password", "the current password is not right"));
    }
    check_password(new)?;
    if new == current {
        return Err(AppError::invalid("new_password", "the new password must differ from the current one"));
    }
    store.set_password(user.id, &passwords.hash(new)?, false).await?;
    Ok(())
}

/// Disables (their sessions end) or enables a user, from the command line: refused when it
/// would leave no enabled admin.
pub async fn set_disabled(store: &Store, user_id: i64, disabled: bool) -> Result<()> {
    let update = UserUpdate { disabled: Some(disabled), ..UserUpdate::default() };
    apply_change(store, user_id, &update, "disabled").await.map(|_| ())
}

/// A change an admin makes to a user: `None` keeps a value; an empty text clears the team or
/// display name.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserChange<'a> {
    pub role: Option<Role>,
    pub team: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub language: Option<&'a str>,
    pub disabled: Option<bool>,
}

/// Changes a user's role, team, display name, language, or disables or enables them, as
/// `acting` (an admin; the caller checks that). Nobody disables themself or takes away their
/// own admin role (another admin must), and no change may leave the server without an enabled
/// admin, even when two admins change each other at once; refusals name the field.
pub async fn change_user(store: &Store, acting: &User, user_id: i64, change: &UserChange<'_>) -> Result<User> {
    let target = user_by_id(store, user_id).await?;
    if target.id == acting.id {
        if change.disabled == Some(true) {
            return Err(AppError::invalid("disabled", "you cannot disable yourself; another admin can"));
        }
        if change.role.is_some_and(|r| r != Role::Admin) && acting.role == Role::Admin {
            return Err(AppError::invalid("role", "you cannot take away your own admin role; another admin can"));
        }
    }
    if let Some(other) = change.language.filter(|l| !l.is_empty() && !matches!(*l, "en" | "zh")) {
        return Err(AppError::invalid("language", format!("`{other}` is not a language Sift speaks; use en or zh")));
    }
    let update = UserUpdate {
        role: change.role,
        team: blank(change.team),
        display_name: blank(change.display_name),
        language: blank(change.language),
        disabled: change.disabled,
    };
    let field = if change.disabled == Some(true) { "disabled" } else { "role" };
    apply_change(store, user_id, &update, field).await
}

/// `None` keeps the value; an empty (or blank) text clears it.
fn blank(value: Option<&str>) -> Option<Option<&str>> {
    value.map(|s| Some(s.trim()).filter(|s| !s.is_empty()))
}

async fn apply_change(store: &Store, user_id: i64, update: &UserUpdate<'_>, field: &str) -> Result<User> {
    match store.change_user(user_id, update).await.map_err(not_found_user(user_id))? {
        UserChanged::Changed(user) => Ok(user),
        UserChanged::NoAdminLeft => {
            Err(AppError::invalid(field, "this would leave no enabled admin; make another user an admin first"))
        }
    }
}

/// Sets the language a user's pages are shown in (`en` or `zh`; `None`: the browser's).
pub async fn set_language(store: &Store, user_id: i64, language: Option<&str>) -> Result<User> {
    if let Some(other) = language.filter(|l| !matches!(*l, "en" | "zh")) {
        return Err(AppError::invalid("language", format!("`{other}` is not a language Sift speaks; use en or zh")));
    }
    store.update_user(user_id, None, None, None, Some(language)).await.map_err(not_found_user(user_id))
}

/// A signed-in browser: the cookie value (shown once, stored hashed) and its CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub cookie: String,
    pub csrf_token: String,
    pub expires_at: String,
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Checks a user name and password; `None` for a wrong name, a wrong password or a disabled
/// user (the caller cannot tell which, nor can an attacker by timing). A sign-in starts a
/// session and is recorded as the user's last sign-in (the web form and the API's login
/// alike); the user returned carries it.
pub async fn sign_in(
    store: &Store,
    passwords: &Passwords,
    username: &str,
    password: &str,
    ttl: Duration,
) -> Result<Option<SignedIn>> {
    let found = store.user_with_password(username).await?;
    let Some((mut user, hash)) = found else {
        let _ = passwords.verify(password, &passwords.decoy);
        return Ok(None);
    };
    if !passwords.verify(password, &hash) || user.disabled {
        return Ok(None);
    }
    let cookie = random_secret(32)?;
    let csrf_token = random_secret(32)?;
    let now = Utc::now();
    let session = Session {
        id_hash: secret_hash(&cookie),
        user_id: user.id,
        csrf_token: csrf_token.clone(),
        expires_at: rfc3339(now + ttl),
        last_seen_at: rfc3339(now),
    };
    store.create_session(&session).await?;
    user.last_sign_in_at = Some(session.last_seen_at.clone());
    Ok(Some(SignedIn { user, cookie, csrf_token, expires_at: session.expires_at }))
}

/// The live session behind a cookie value, and its user.
pub async fn session_user(store: &Store, cookie: &str) -> Result<Option<(Session, User)>> {
    Ok(store.session(&secret_hash(cookie), &rfc3339(Utc::now())).await?)
}

pub async fn sign_out(store: &Store, cookie: &str) -> Result<()> {
    Ok(store.delete_session(&secret_hash(cookie)).await?)
}

/// Tokens start with this, so that secret scanners and people recognise them.
pub const TOKEN_PREFIX: &str = "sift_";

/// When a new token stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenExpiry {
    Never,
    /// This many days from its creation (1 to [`TokenExpiry::MAX_DAYS`]).
    InDays(i64),
    At(DateTime<Utc>),
}

impl TokenExpiry {
    /// The longest life a token can be given in days (ten years); longer is "never".
    pub const MAX_DAYS: i64 = 3650;

    /// The API's two optional fields: `expires_in_days`, or `expires_at` (RFC 3339, or a
    /// day `YYYY-MM-DD`, meaning its start in UTC); neither: the token never expires.
    pub fn from_fields(in_days: Option<i64>, at: Option<&str>) -> Result<TokenExpiry> {
        match (in_days, at.map(str::trim)) {
            (Some(_), Some(_)) => {
                Err(AppError::invalid("expires_at", "give `expires_in_days` or `expires_at`, not both"))
            }
            (Some(days), None) => Ok(TokenExpiry::InDays(days)),
            (None, Some(at)) => parse_expiry(at).map(TokenExpiry::At),
            (None, None) => Ok(TokenExpiry::Never),
        }
    }

    /// The moment the token stops working, checked against `now`: a day count within
    /// range, a time in the future.
    pub fn resolve(self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        match self {
            TokenExpiry::Never => Ok(None),
            TokenExpiry::InDays(days) if (1..=Self::MAX_DAYS).contains(&days) => Ok(Some(now + Duration::days(days))),
            TokenExpiry::InDays(days) => Err(AppError::invalid(
                "expires_in_days",
                format!("`{days}` days is out of range: from 1 to {}", Self::MAX_DAYS),
            )),
            TokenExpiry::At(at) if at <= now => Err(AppError::invalid(
                "expires_at",
                format!("`{}` has passed: a token must expire in the future", rfc3339(at)),
            )),
            TokenExpiry::At(at) => Ok(Some(at)),
        }
    }
}

fn parse_expiry(at: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(at) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(at, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            AppError::invalid(
                "expires_at",
                format!("`{at}` is not a time: give RFC 3339 (2027-03-01T12:00:00Z) or a day (2027-03-01)"),
            )
        })
}

/// True when the token's expiry time has come (an expiry that cannot be read counts as
/// passed: a token is refused rather than kept alive by a bad value).
pub fn token_expired(token: &ApiToken, now: DateTime<Utc>) -> bool {
    token
        .expires_at
        .as_deref()
        .is_some_and(|at| DateTime::parse_from_rfc3339(at).map_or(true, |at| at.with_timezone(&Utc) <= now))
}

/// Creates an API token for a user; returns it and the secret (shown once).
pub async fn create_token(
    store: &Store,
    user: &User,
    name: &str,
    scope: Scope,
    expiry: TokenExpiry,
) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "a token needs a name of 1 to 100 characters"));
    }
    if !token_scopes(user.role).contains(&scope) {
        return Err(AppError::invalid("scope", "only an admin can create a token with the admin scope"));
    }
    let expires_at = expiry.resolve(Utc::now())?.map(rfc3339);
    let secret = format!("{TOKEN_PREFIX}{}", random_secret(32)?);
    let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let new = NewToken {
        user_id: user.id,
        name,
        token_hash: &secret_hash(&secret),
        prefix: &prefix,
        scope,
        expires_at: expires_at.as_deref(),
    };
    let token = store.create_token(&new).await?;
    Ok((token, secret))
}

/// The scopes a user of this role may give their own tokens: read and write, and admin
/// for admins only. (A token never does more than its user's role either.)
pub fn token_scopes(role: Role) -> Vec<Scope> {
    Scope::ALL.into_iter().filter(|s| *s != Scope::Admin || role == Role::Admin).collect()
}

/// A user's own tokens, newest first as the store keeps them (never the secrets).
pub async fn list_tokens(store: &Store, user_id: i64) -> Result<Vec<ApiToken>> {
    Ok(store.list_tokens(user_id).await?)
}

/// Revokes one of a user's own live tokens; false if they have no live token with this id.
pub async fn revoke_token(store: &Store, user_id: i64, token_id: i64) -> Result<bool> {
    Ok(store.revoke_token(user_id, token_id).await?)
}

/// What a secret sent as a token turns out to be.
#[derive(Debug, Clone)]
pub enum TokenLookup {
    /// Unknown, revoked, or its user disabled.
    Unknown,
    /// A token whose expiry time has come (`expires_at` says when).
    Expired(ApiToken),
    /// A live token, and its user.
    Live(ApiToken, User),
}

/// How often a token's use is written down: recording every use would make each read a
/// write; once a minute tells a live token from a forgotten one.
pub const TOKEN_USE_RECORDED_EVERY: Duration = Duration::seconds(60);

/// The token behind a secret: live with its user, expired, or unknown. A live token's use is
/// recorded as its `last_used_at` (the account page's "Last used"), at most once every
/// [`TOKEN_USE_RECORDED_EVERY`].
pub async fn token_user(store: &Store, secret: &str) -> Result<TokenLookup> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(TokenLookup::Unknown);
    }
    let now = Utc::now();
    Ok(match store.token(&secret_hash(secret)).await? {
        None => TokenLookup::Unknown,
        Some((token, _)) if token_expired(&token, now) => TokenLookup::Expired(token),
        Some((mut token, user)) => {
            let stale = token.last_used_at.as_deref().is_none_or(|at| {
                DateTime::parse_from_rfc3339(at)
                    .map_or(true, |t| now - t.with_timezone(&Utc) > TOKEN_USE_RECORDED_EVERY)
            });
            if stale {
                let at = rfc3339(now);
                store.touch_token(token.id, &at).await?;
                token.last_used_at = Some(at);
            }
            TokenLookup::Live(token, user)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let p = Passwords::new(Params::MIN_M_COST.max(8), 1).expect("cheap params");
        let hash = p.hash("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(p.verify("correct horse battery", &hash));
        assert!(!p.verify("correct horse batterY", &hash));
        assert!(!p.verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn rules_for_names_and_passwords_say_what_is_wrong() {
        assert!(check_username("jana.novak@acme").is_ok());
        for bad in ["", "has space", "semi;colon", &"x".repeat(65)] {
            assert!(check_username(bad).expect_err(bad).to_string().contains("user name"), "{bad}");
        }
        assert!(check_password("short").expect_err("short").to_string().contains("at least 12"));
        assert!(check_password("twelve chars").is_ok());
    }

    #[test]
    fn only_admins_may_give_a_token_the_admin_scope() {
        assert_eq!(token_scopes(Role::Admin), Scope::ALL.to_vec());
        for role in [Role::Manager, Role::Rep, Role::Viewer] {
            assert_eq!(token_scopes(role), vec![Scope::Read, Scope::Write], "{role}");
        }
    }

    #[test]
    fn a_token_expiry_is_read_from_the_api_fields_and_checked_against_now() {
        let now = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z").expect("now").with_timezone(&Utc);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect(s).with_timezone(&Utc);
        let check = |days: Option<i64>, at_field: Option<&str>, want: std::result::Result<Option<&str>, &str>| {
            let got = TokenExpiry::from_fields(days, at_field).and_then(|e| e.resolve(now));
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got.map(rfc3339).as_deref(), want, "{days:?} {at_field:?}"),
                (Err(e), Err(field)) => {
                    let AppError::Invalid(d) = &e else { panic!("{e}") };
                    assert_eq!(d.0[0].source, field, "{days:?} {at_field:?}: {e}");
                }
                (got, want) => panic!("{days:?} {at_field:?}: got {got:?}, want {want:?}"),
            }
        };
        check(None, None, Ok(None));
        check(Some(90), None, Ok(Some("2027-03-05T10:00:00.000Z")));
        check(Some(1), None, Ok(Some("2026-12-06T10:00:00.000Z")));
        check(None, Some("2027-03-01"), Ok(Some("2027-03-01T00:00:00.000Z")));
        check(None, Some(" 2027-03-01T12:30:00+02:00 "), Ok(Some("2027-03-01T10:30:00.000Z")));
        check(Some(0), None, Err("expires_in_days"));
        check(Some(-5), None, Err("expires_in_days"));
        check(Some(TokenExpiry::MAX_DAYS + 1), None, Err("expires_in_days"));
        check(None, Some("2026-12-05T10:00:00Z"), Err("expires_at"));
        check(None, Some("2020-01-01"), Err("expires_at"));
        check(None, Some("next week"), Err("expires_at"));
        check(Some(30), Some("2027-03-01"), Err("expires_at"));

        let token = |expires_at: Option<&str>| ApiToken {
            id: 1,
            user_id: 1,
            name: "t".into(),
            prefix: "sift_abc".into(),
            scope: Scope::Read,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            last_used_at: None,
            revoked_at: None,
            expires_at: expires_at.map(str::to_owned),
        };
        assert!(!token_expired(&token(None), now));
        assert!(!token_expired(&token(Some("2026-12-05T10:00:00.001Z")), now));
        assert!(token_expired(&token(Some("2026-12-05T10:00:00.000Z")), now));
        assert!(token_expired(&token(Some("garbage")), now), "an unreadable expiry refuses");
        assert!(token_expired(&token(Some("2026-12-05T09:00:00Z")), at("2026-12-05T09:00:00Z")));
    }

    #[test]
    fn secrets_are_random_and_hashes_are_stable() {
        let (a, b) = (random_secret(32).expect("a"), random_secret(32).expect("b"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash("x"), secret_hash("x"));
        assert_eq!(secret_hash("x").len(), 64);
        for _ in 0..200 {
            let otp = one_time_password().expect("otp");
            let groups: Vec<&str> = otp.split('-').collect();
            assert_eq!(groups.len(), 4, "{otp}");
            assert!(groups.iter().all(|g| g.len() == 5 && g.bytes().all(|b| READABLE.contains(&b))), "{otp}");
        }
    }
}
