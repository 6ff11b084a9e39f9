//! Accounts: users and their passwords (argon2id), browser sessions, API tokens. Used by
//! `sift users ...` and by the server; secrets are shown once and stored only as hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sift_store::accounts::{ApiToken, NewUser, Role, Scope, Session, User, UserChanged, UserUpdate};
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
/// user (the caller cannot tell which, nor can an attacker by timing).
pub async fn sign_in(
    store: &Store,
    passwords: &Passwords,
    username: &str,
    password: &str,
    ttl: Duration,
) -> Result<Option<SignedIn>> {
    let found = store.user_with_password(username).await?;
    let Some((user, hash)) = found else {
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

/// Creates an API token for a user; returns it and the secret (shown once).
pub async fn create_token(store: &Store, user: &User, name: &str, scope: Scope) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "a token needs a name of 1 to 100 characters"));
    }
    if !token_scopes(user.role).contains(&scope) {
        return Err(AppError::invalid("scope", "only an admin can create a token with the admin scope"));
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_secret(32)?);
    let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let token = store.create_token(user.id, name, &secret_hash(&secret), &prefix, scope).await?;
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

/// The live token behind a secret, and its user.
pub async fn token_user(store: &Store, secret: &str) -> Result<Option<(ApiToken, User)>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(store.token(&secret_hash(secret)).await?)
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
