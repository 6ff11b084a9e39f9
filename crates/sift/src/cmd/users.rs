//! `sift users`: people who use the server, from the command line.

use anyhow::Result;
use clap::Subcommand;
use sift_app::accounts::{AddUser, Passwords};
use sift_store::accounts::Role;

use crate::exit;

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Add a user; prints a one-time password they change at first sign-in.
    #[command(
        after_help = "Roles: admin (everything), manager (their team's leads, reports), rep (the leads they own), viewer (reads only).\n\nExample:\n  sift users add jana --role rep --team emea --display-name \"Jana Novak\""
    )]
    Add {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// en or zh.
        #[arg(long, value_parser = ["en", "zh"])]
        language: Option<String>,
    },
    /// List users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their sessions end and their tokens stop working.
    Disable { username: String },
    /// Enable a disabled user again.
    Enable { username: String },
    /// Give a user a new one-time password (their sessions end).
    ResetPassword { username: String },
}

fn parse_role(value: &str) -> Result<Role, String> {
    value.parse::<Role>().map_err(|e| e.to_string())
}

pub fn run(db: &str, command: &UsersCommand) -> Result<u8> {
    crate::cmd::db::runtime()?.block_on(async {
        let store = crate::cmd::db::open(db).await?;
        let result = run_inner(&store, command).await;
        store.close().await;
        result
    })
}

async fn run_inner(store: &sift_store::Store, command: &UsersCommand) -> Result<u8> {
    let passwords = Passwords::recommended()?;
    match command {
        UsersCommand::Add { username, role, team, display_name, language } => {
            let add = AddUser {
                username,
                display_name: display_name.as_deref(),
                role: *role,
                team: team.as_deref(),
                language: language.as_deref(),
                password: None,
            };
            let (user, one_time) = sift_app::accounts::add_user(store, &passwords, &add).await?;
            println!("Added `{}` ({}).", user.username, user.role);
            if let Some(p) = one_time {
                println!("One-time password (shown once; they set their own at first sign-in):\n    {p}");
            }
        }
        UsersCommand::List { json } => {
            let users = store.list_users().await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                println!("{:>4}  {:<24} {:<8} {:<12} {:<17} status", "id", "user", "role", "team", "last sign-in");
                for u in &users {
                    let status = match (u.disabled, u.must_change_password) {
                        (true, _) => "disabled",
                        (false, true) => "must change password",
                        (false, false) => "active",
                    };
                    // `2026-12-04T23:19:43.123Z` as `2026-12-04 23:19` (UTC).
                    let last = u.last_sign_in_at.as_deref().and_then(|at| at.get(..16)).map(|at| at.replace('T', " "));
                    println!(
                        "{:>4}  {:<24} {:<8} {:<12} {:<17} {status}",
                        u.id,
                        u.username,
                        u.role,
                        u.team.as_deref().unwrap_or("-"),
                        last.as_deref().unwrap_or("never"),
                    );
                }
            }
        }
        UsersCommand::Disable { username } | UsersCommand::Enable { username } => {
            let disable = matches!(command, UsersCommand::Disable { .. });
            let user = sift_app::accounts::user_named(store, username).await?;
            sift_app::accounts::set_disabled(store, user.id, disable).await?;
            println!("`{username}` is {}.", if disable { "disabled; their sessions ended" } else { "enabled" });
        }
        UsersCommand::ResetPassword { username } => {
            let user = sift_app::accounts::user_named(store, username).await?;
            let p = sift_app::accounts::reset_password(store, &passwords, user.id).await?;
            println!("New one-time password for `{username}` (their sessions ended):\n    {p}");
        }
    }
    Ok(exit::OK)
}
