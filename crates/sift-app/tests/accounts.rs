//! Users changed by admins, on both databases: nobody disables themself or drops their own
//! admin role, and no change (the command line's included) leaves the server without an
//! enabled admin, even when two admins demote each other at the same moment. Sign-ins are
//! recorded as each user's last sign-in, and a token's use as its last use.

use sift_app::accounts::{
    AddUser, Passwords, TokenExpiry, TokenLookup, UserChange, add_user, change_user, create_token, set_disabled,
    sign_in, token_user,
};
use sift_app::error::AppError;
use sift_store::Store;
use sift_store::accounts::{Role, User};
use sift_store::testing::{connect, databases};

async fn add(store: &Store, passwords: &Passwords, name: &str, role: Role) -> User {
    let new = AddUser { username: name, display_name: None, role, team: None, language: None, password: None };
    add_user(store, passwords, &new).await.expect("add user").0
}

/// The field a refusal names and its message.
fn refusal(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid(d) => (d.0[0].source.clone(), d.0[0].message.clone()),
        other => panic!("expected a refusal at a field, got {other}"),
    }
}

#[tokio::test]
async fn an_admin_changes_others_but_the_server_always_keeps_an_enabled_admin() {
    let passwords = Passwords::new(8, 1).expect("cheap hashing for tests");
    for db in databases("app_accounts").await {
        let name = db.name;
        let store = connect(&db).await;
        // Where there is no admin to keep (users made by hand), changes are not held up.
        let early = add(&store, &passwords, "early", Role::Rep).await;
        set_disabled(&store, early.id, true).await.expect("no admin to keep yet");
        let ana = add(&store, &passwords, "ana", Role::Admin).await;
        let rep = add(&store, &passwords, "rob", Role::Rep).await;

        // One's own admin role and one's own account stay; another admin must change them.
        let demote = UserChange { role: Some(Role::Manager), ..UserChange::default() };
        let (field, message) = refusal(change_user(&store, &ana, ana.id, &demote).await.expect_err("own role"));
        assert_eq!(field, "role", "{name}");
        assert!(message.contains("your own admin role"), "{message}");
        let disable = UserChange { disabled: Some(true), ..UserChange::default() };
        let (field, _) = refusal(change_user(&store, &ana, ana.id, &disable).await.expect_err("self"));
        assert_eq!(field, "disabled", "{name}");

        // Others: role, team (a blank clears it), language, disabled.
        let changed = change_user(
            &store,
            &ana,
            rep.id,
            &UserChange {
                role: Some(Role::Manager),
                team: Some("north"),
                language: Some("zh"),
                ..UserChange::default()
            },
        )
        .await
        .expect("change a rep");
        assert_eq!(
            (changed.role, changed.team.as_deref(), changed.language.as_deref()),
            (Role::Manager, Some("north"), Some("zh"))
        );
        let cleared = change_user(&store, &ana, rep.id, &UserChange { team: Some("  "), ..UserChange::default() })
            .await
            .expect("clear the team");
        assert_eq!((cleared.team, cleared.role), (None, Role::Manager), "{name}: only the team changed");
        let bad = UserChange { language: Some("fr"), ..UserChange::default() };
        assert_eq!(refusal(change_user(&store, &ana, rep.id, &bad).await.expect_err("fr")).0, "language");
        assert!(matches!(
            change_user(&store, &ana, 9_999, &disable).await,
            Err(AppError::NotFound { what: "user", .. })
        ));

        // The command line has no acting user: the store refuses to disable the last admin.
        let (field, message) = refusal(set_disabled(&store, ana.id, true).await.expect_err("last admin"));
        assert_eq!(field, "disabled", "{name}");
        assert!(message.contains("no enabled admin"), "{message}");
        assert!(!store.user(ana.id).await.expect("read").expect("ana").disabled, "{name}: nothing written");

        // Two admins demoting each other at once: exactly one wins, one admin is left.
        let ben = add(&store, &passwords, "ben", Role::Admin).await;
        let (a, b) = (store.clone(), connect(&db).await);
        let (ana2, ben2) = (ana.clone(), ben.clone());
        let first = tokio::spawn(async move { change_user(&a, &ana2, ben2.id, &demote).await });
        let (ana3, ben3) = (ana.clone(), ben.clone());
        let second = tokio::spawn(async move { change_user(&b, &ben3, ana3.id, &demote).await });
        let outcomes = [first.await.expect("task"), second.await.expect("task")];
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{name}: {outcomes:?}");
        let admins: Vec<String> = store
            .list_users()
            .await
            .expect("users")
            .into_iter()
            .filter(|u| u.role == Role::Admin && !u.disabled)
            .map(|u| u.username)
            .collect();
        assert_eq!(admins.len(), 1, "{name}: {admins:?}");

        // A disabled admin does not count: with ben disabled, ana is still the last one.
        let other = add(&store, &passwords, "cy", Role::Admin).await;
        set_disabled(&store, other.id, true).await.expect("disable cy");
        let last =
            store.list_users().await.expect("users").into_iter().find(|u| u.username == admins[0]).expect("admin");
        assert!(set_disabled(&store, last.id, true).await.is_err(), "{name}: a disabled admin is no admin");
        set_disabled(&store, other.id, false).await.expect("enable cy");
        set_disabled(&store, last.id, true).await.expect("cy is enabled again, so the other may go");
    }
}

#[tokio::test]
async fn a_sign_in_is_recorded_as_the_users_last_and_a_tokens_use_as_its_last_use() {
    let passwords = Passwords::new(8, 1).expect("cheap hashing for tests");
    let password = "a long enough password";
    let ttl = chrono::Duration::hours(1);
    for db in databases("app_last_sign_in").await {
        let name = db.name;
        let store = connect(&db).await;
        let new = AddUser {
            username: "lee",
            display_name: None,
            role: Role::Rep,
            team: None,
            language: None,
            password: Some(password),
        };
        let (lee, _) = add_user(&store, &passwords, &new).await.expect("add lee");
        assert_eq!(lee.last_sign_in_at, None, "{name}: never signed in");
        // A wrong password is no sign-in.
        assert!(sign_in(&store, &passwords, "lee", "not the password!", ttl).await.expect("checked").is_none());
        assert_eq!(store.user(lee.id).await.expect("read").expect("lee").last_sign_in_at, None, "{name}");

        let before = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let signed = sign_in(&store, &passwords, "lee", password, ttl).await.expect("signed").expect("lee");
        let first = signed.user.last_sign_in_at.clone().expect("the sign-in is on the user returned");
        assert!(first >= before, "{name}: {first} >= {before}");
        let stored = store.user(lee.id).await.expect("read").expect("lee");
        assert_eq!(stored.last_sign_in_at.as_deref(), Some(first.as_str()), "{name}: stored");
        assert_eq!(
            store.list_users().await.expect("list").iter().find(|u| u.id == lee.id).map(|u| u.last_sign_in_at.clone()),
            Some(Some(first.clone())),
            "{name}: listed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let latest = sign_in(&store, &passwords, "lee", password, ttl).await.expect("signed").expect("lee");
        let latest = latest.user.last_sign_in_at;
        assert!(latest.as_deref() > Some(first.as_str()), "{name}: the latest one counts");

        // A token is not a sign-in: its use is recorded on the token, once a minute at most.
        let (token, secret) =
            create_token(&store, &stored, "script", sift_store::accounts::Scope::Read, TokenExpiry::Never)
                .await
                .expect("token");
        assert_eq!(token.last_used_at, None);
        let TokenLookup::Live(used, _) = token_user(&store, &secret).await.expect("lookup") else {
            panic!("{name}: a live token")
        };
        let used_at = used.last_used_at.clone().expect("its use is recorded");
        let listed = store.list_tokens(lee.id).await.expect("tokens");
        assert_eq!(listed[0].last_used_at.as_deref(), Some(used_at.as_str()), "{name}");
        let TokenLookup::Live(again, _) = token_user(&store, &secret).await.expect("lookup") else { panic!("live") };
        assert_eq!(again.last_used_at, Some(used_at), "{name}: within the minute, not written again");
        assert_eq!(
            store.user(lee.id).await.expect("read").expect("lee").last_sign_in_at,
            latest,
            "{name}: using a token is not signing in"
        );
    }
}
