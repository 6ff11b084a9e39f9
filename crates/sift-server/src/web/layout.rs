//! The page frame: head with our stylesheet and htmx, the navigation, the language switch
//! and sign-out forms. htmx is configured through a meta tag (no inline script) and told
//! not to insert its own style element (the CSP allows only our stylesheet).

use maud::{DOCTYPE, Markup, html};
use sift_core::Verdict;

use super::SignedIn;
use super::assets;
use super::i18n::{self, Lang};
use crate::auth::CSRF_FIELD;

const HTMX_CONFIG: &str =
    r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}"#;

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=(HTMX_CONFIG);
            title { (title) " · Sift" }
            link rel="stylesheet" href=(assets::css_path());
            script src=(assets::htmx_path()) defer {}
            script src=(assets::js_path()) defer {}
        }
    }
}

/// A page for someone who is not signed in (sign in, errors).
pub fn bare(lang: Lang, title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.html_lang()) {
            (head(title))
            body.bare {
                main #content { (main) }
            }
        }
    }
}

/// A page for a signed-in user: navigation, the language switch, sign out.
pub fn page(who: &SignedIn, title: &str, main: Markup) -> Markup {
    let t = who.lang.text();
    let csrf = who.principal.csrf_token();
    let user = &who.principal.user;
    html! {
        (DOCTYPE)
        html lang=(who.lang.html_lang()) {
            (head(title))
            body hx-boost="true" {
                a.skip href="#content" { (t.skip_to_content) }
                header.top {
                    nav aria-label="Sift" {
                        a.brand href="/" { "Sift" }
                        a href="/" aria-current=[current(&who.here, "/")] { (t.nav_today) }
                        a href="/leads" aria-current=[current(&who.here, "/leads")] { (t.nav_leads) }
                        a href="/models" aria-current=[current(&who.here, "/models")] { (super::models::words(who.lang).nav) }
                        a href="/board" aria-current=[current(&who.here, "/board")] { (super::board::words(who.lang).nav) }
                        a href="/nurture" aria-current=[current(&who.here, "/nurture")] { (super::nurture::words(who.lang).nav) }
                        a href="/reports" aria-current=[current(&who.here, "/reports")] { (super::reports::words(who.lang).nav) }
                        @if user.role >= sift_store::accounts::Role::Manager { a href="/imports/new" aria-current=[current(&who.here, "/imports")] { (super::imports::words(who.lang).nav) } }
                        @if user.role == sift_store::accounts::Role::Admin { a href="/settings" aria-current=[current(&who.here, "/settings")] { (super::settings::words(who.lang).nav) } }
                    }
                    div.account {
                        span { (t.signed_in_as) " " strong { (user.display_name.as_deref().unwrap_or(&user.username)) } }
                        a href="/account" aria-current=[current(&who.here, "/account")] { (super::account::words(who.lang).nav) }
                        a href="/password" { (t.change_password) }
                        form method="post" action="/language" {
                            input type="hidden" name=(CSRF_FIELD) value=(csrf);
                            input type="hidden" name="lang" value=(who.lang.other().code());
                            input type="hidden" name="next" value=(who.here);
                            button.link type="submit" lang=(who.lang.other().html_lang()) { (t.switch_language) }
                        }
                        form method="post" action="/signout" hx-boost="false" {
                            input type="hidden" name=(CSRF_FIELD) value=(csrf);
                            button.link type="submit" { (t.sign_out) }
                        }
                    }
                }
                main #content { (main) }
            }
        }
    }
}

/// `aria-current="page"` on the navigation link of the section the page belongs to.
fn current(here: &str, section: &str) -> Option<&'static str> {
    let path = here.split('?').next().unwrap_or(here);
    let inside = if section == "/" { path == "/" } else { path == section || path.starts_with(&format!("{section}/")) };
    inside.then_some("page")
}

/// A verdict with its icon, words and colour: the same on every page, never colour alone.
pub fn verdict_badge(lang: Lang, verdict: Verdict) -> Markup {
    let icon = match verdict {
        Verdict::Qualified => "✓",
        Verdict::Nurture => "↻",
        Verdict::NeedsInfo => "?",
        Verdict::Disqualified => "✕",
    };
    html! {
        span class={ "badge verdict-" (verdict.name()) } {
            span aria-hidden="true" { (icon) } " " (i18n::verdict(lang, verdict))
        }
    }
}

/// A lead's display name: the person, else the company, else "Lead #id".
pub fn lead_name(lang: Lang, lead: &sift_store::StoredLead) -> String {
    lead.record
        .name()
        .or_else(|| lead.record.company.clone())
        .unwrap_or_else(|| format!("{} #{}", lang.text().unnamed_lead, lead.id))
}
