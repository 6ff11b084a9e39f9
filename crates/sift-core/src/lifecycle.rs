//! Lifecycle stages of a lead and the moves allowed between them.
//!
//! The funnel runs unqualified -> mql / pql / cql -> sql -> opportunity -> customer, with
//! two exits: nurture (not now; may come back) and disqualified (out; may be reopened).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::classify::LeadTypeDecision;
use crate::gate::Decision;
use crate::lead::Lead;
use crate::message::{Arg, Message};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// New, not engaged enough to hand to anyone.
    #[default]
    Unqualified,
    /// Marketing-qualified: engaged enough to receive marketing.
    Mql,
    /// Product-qualified: signed up for, activated or used the product.
    Pql,
    /// Conversion-qualified: converted on the website (form, call button).
    Cql,
    /// Sales-qualified: passed qualification, ready for a rep.
    Sql,
    /// In the pipeline as a deal.
    Opportunity,
    /// Not now: in a nurture sequence until interest or circumstances change.
    Nurture,
    /// Out of the funnel.
    Disqualified,
    /// Bought.
    Customer,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Unqualified,
        Stage::Mql,
        Stage::Pql,
        Stage::Cql,
        Stage::Sql,
        Stage::Opportunity,
        Stage::Nurture,
        Stage::Disqualified,
        Stage::Customer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Unqualified => "unqualified",
            Stage::Mql => "mql",
            Stage::Pql => "pql",
            Stage::Cql => "cql",
            Stage::Sql => "sql",
            Stage::Opportunity => "opportunity",
            Stage::Nurture => "nurture",
            Stage::Disqualified => "disqualified",
            Stage::Customer => "customer",
        }
    }

    /// The stages a lead in this stage may move to.
    pub fn next_stages(self) -> &'static [Stage] {
        use Stage::*;
        match self {
            Unqualified => &[Mql, Pql, Cql, Sql, Nurture, Disqualified],
            Mql => &[Pql, Cql, Sql, Nurture, Disqualified],
            // Product and conversion signals can arrive in either order.
            Pql => &[Cql, Sql, Nurture, Disqualified],
            Cql => &[Pql, Sql, Nurture, Disqualified],
            Sql => &[Opportunity, Nurture, Disqualified],
            // A lost deal that may come back goes to nurture; a won one becomes a customer.
            Opportunity => &[Customer, Nurture, Disqualified],
            // Re-engaged leads come back in at the stage their new behaviour earns.
            Nurture => &[Mql, Pql, Cql, Sql, Disqualified],
            // Reopening starts over; nothing jumps straight from out to in.
            Disqualified => &[Unqualified, Nurture],
            Customer => &[],
        }
    }

    pub fn can_move_to(self, to: Stage) -> bool {
        self.next_stages().contains(&to)
    }

    /// The shortest chain of allowed moves from this stage to `to` (the stages after this
    /// one, `to` last), or `None` when `to` cannot be reached (nothing leaves `customer`).
    /// An import that finds a lead at a later stage records the whole chain, so the stored
    /// history only ever holds allowed moves.
    pub fn path_to(self, to: Stage) -> Option<Vec<Stage>> {
        if self == to {
            return Some(Vec::new());
        }
        // Breadth-first over nine stages; `previous` doubles as the visited set.
        let mut previous: [Option<Stage>; 9] = [None; 9];
        let index = |s: Stage| Stage::ALL.iter().position(|x| *x == s).unwrap_or(0);
        let mut queue = std::collections::VecDeque::from([self]);
        while let Some(stage) = queue.pop_front() {
            for &next in stage.next_stages() {
                if next == self || previous[index(next)].is_some() {
                    continue;
                }
                previous[index(next)] = Some(stage);
                if next == to {
                    let mut path = vec![to];
                    let mut at = stage;
                    while at != self {
                        path.push(at);
                        at = previous[index(at)]?;
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(next);
            }
        }
        None
    }

    /// True for the lead types assigned from activity (MQL, PQL, CQL).
    pub fn is_lead_type(self) -> bool {
        matches!(self, Stage::Mql | Stage::Pql | Stage::Cql)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a lifecycle stage; expected one of: unqualified, mql, pql, cql, sql, opportunity, nurture, disqualified, customer"
)]
pub struct StageParseError(pub String);

impl FromStr for Stage {
    type Err = StageParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_lowercase();
        Stage::ALL.into_iter().find(|st| st.name() == norm).ok_or_else(|| StageParseError(s.to_owned()))
    }
}

/// One recorded move between stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    pub from: Stage,
    pub to: Stage,
    pub at: DateTime<Utc>,
    /// Who or what made the change: a user name, `classifier`, `gate`, `import`.
    pub actor: String,
    pub reason: String,
    /// `reason` as a message, when the move was planned with one (a verdict's or the
    /// lead-type rules' move); absent for moves by hand, imports and moves kept before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_message: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a lead cannot move from `{from}` to `{to}`; from `{from}` it may move to: {allowed}")]
    NotAllowed { from: Stage, to: Stage, allowed: String },
    #[error("a stage change needs a reason")]
    MissingReason,
}

impl Lead {
    /// Moves the lead to `to`, recording when, by whom and why.
    ///
    /// Moving to the stage the lead is already in is a no-op and records nothing.
    pub fn move_to(
        &mut self,
        to: Stage,
        at: DateTime<Utc>,
        actor: &str,
        reason: &str,
    ) -> Result<Option<&StageChange>, TransitionError> {
        if to == self.stage {
            return Ok(None);
        }
        if reason.trim().is_empty() {
            return Err(TransitionError::MissingReason);
        }
        if !self.stage.can_move_to(to) {
            let allowed = self.stage.next_stages().iter().map(|s| s.name()).collect::<Vec<_>>();
            return Err(TransitionError::NotAllowed {
                from: self.stage,
                to,
                allowed: if allowed.is_empty() { "nothing (final stage)".into() } else { allowed.join(", ") },
            });
        }
        self.history.push(StageChange {
            from: self.stage,
            to,
            at,
            actor: actor.to_owned(),
            reason: reason.trim().to_owned(),
            reason_message: None,
        });
        self.stage = to;
        Ok(self.history.last())
    }
}

/// A stage change the lifecycle rules decided, ready to be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMove {
    pub from: Stage,
    pub to: Stage,
    /// Who or what asked for it: a user name, `gate`, `lead-type rules`, `import`.
    pub actor: String,
    pub reason: String,
    /// `reason` as a message (its English is the reason), kept with the move so a reader
    /// can say it in its own language; none for reasons people typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// What asks a lead to change stage.
#[derive(Debug, Clone, Copy)]
pub enum Trigger<'a> {
    /// The three-level gate decided (qualified -> SQL, nurture, disqualified).
    Verdict(&'a Decision),
    /// The lead-type rules classified the lead's activity (MQL, PQL, CQL).
    LeadType(&'a LeadTypeDecision),
    /// The CRM says the deal was won or lost.
    Outcome { won: bool, reason: &'a str },
    /// A person moved the lead by hand.
    Manual { to: Stage, reason: &'a str },
    /// A nurtured lead's re-engage date came: it returns to marketing (MQL), carrying the
    /// reason it was nurtured, so the rep sees why it is back.
    ReEngage { reason: &'a str },
}

/// The lifecycle's answer to a trigger: a move, or staying put with the reason why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum MovePlan {
    Move(StageMove),
    Stay {
        stage: Stage,
        reason: String,
        /// `reason` as a code and its arguments, so it can be said in another language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<Message>,
    },
}

impl MovePlan {
    /// Staying in `stage` for the reason `message` says (its English is the reason).
    pub fn stay(stage: Stage, message: Message) -> MovePlan {
        MovePlan::Stay { stage, reason: message.english(), message: Some(message) }
    }

    pub fn as_move(&self) -> Option<&StageMove> {
        match self {
            MovePlan::Move(m) => Some(m),
            MovePlan::Stay { .. } => None,
        }
    }

    /// The stage the lead ends in.
    pub fn stage(&self) -> Stage {
        match self {
            MovePlan::Move(m) => m.to,
            MovePlan::Stay { stage, .. } => *stage,
        }
    }

    /// One sentence for people: "moved from mql to sql" or why it stays.
    pub fn describe(&self) -> String {
        match self {
            MovePlan::Move(m) => format!("moved from {} to {}", m.from, m.to),
            MovePlan::Stay { stage, reason, .. } => format!("stays {stage}: {reason}"),
        }
    }
}

/// The reason a verdict's stage move is recorded with, `<verdict>: <first reason>`, as a
/// message. Stage history keeps the text; a reader with the decision saved at the same
/// instant gets the message back when its English is the text kept.
pub fn verdict_move_message(decision: &Decision) -> Message {
    let reason = match (decision.reason_messages.first(), decision.reasons.first()) {
        (Some(message), Some(text)) if message.english() == *text => Arg::Message(message.clone()),
        (_, Some(text)) => Arg::Text(text.clone()),
        (_, None) => Arg::Text(decision.verdict.name().to_owned()),
    };
    Message::new("lifecycle.verdict").with("verdict", decision.verdict.name()).with_arg("reason", reason)
}

/// Decides whether a lead in stage `from` moves on `trigger`. This is the one place where
/// stage moves are decided; stores record the plan they are given.
///
/// - a verdict moves a lead to the verdict's stage when the lifecycle allows that move
///   (`needs_info` never moves it);
/// - lead-type rules move only leads that are still `unqualified` or `mql`;
/// - an outcome is a fact from the CRM: won makes any lead not yet a customer a customer,
///   lost takes any lead that is not a customer out of the funnel (`disqualified`);
/// - a manual move follows the allowed moves and needs a reason.
pub fn plan_move(from: Stage, trigger: Trigger<'_>, actor: &str) -> MovePlan {
    let stay = |message: Message| MovePlan::stay(from, message);
    let to_move = |to: Stage, reason: &str| {
        MovePlan::Move(StageMove { from, to, actor: actor.to_owned(), reason: reason.trim().to_owned(), message: None })
    };
    // A move whose reason is Sift's own words, kept with its message when the reason is
    // exactly the message's English.
    let said_move = |to: Stage, message: Message| {
        let mut plan = to_move(to, &message.english());
        if let MovePlan::Move(m) = &mut plan {
            m.message = (m.reason == message.english()).then_some(message);
        }
        plan
    };
    let already = |to: Stage| Message::new("lifecycle.already").with("stage", to.name());
    let not_allowed = |to: Stage| {
        let allowed = from.next_stages().iter().map(|s| Arg::Text(s.name().to_owned())).collect();
        Message::new("lifecycle.not_allowed")
            .with("from", from.name())
            .with("to", to.name())
            .with_list("allowed", allowed)
    };
    match trigger {
        Trigger::Verdict(decision) => {
            let Some(to) = decision.verdict.stage() else {
                return stay(Message::new("lifecycle.undecided").with("verdict", decision.verdict.name()));
            };
            if to == from {
                stay(already(to))
            } else if from.can_move_to(to) {
                said_move(to, verdict_move_message(decision))
            } else {
                stay(not_allowed(to))
            }
        }
        Trigger::LeadType(decision) => {
            let to = decision.stage;
            if to == from {
                stay(already(to))
            } else if !matches!(from, Stage::Unqualified | Stage::Mql) {
                stay(Message::new("lifecycle.activity_too_late").with("stage", from.name()))
            } else if from.can_move_to(to) {
                match &decision.explanation_message {
                    Some(message) if message.english() == decision.explanation => said_move(to, message.clone()),
                    _ => to_move(to, &decision.explanation),
                }
            } else {
                stay(not_allowed(to))
            }
        }
        Trigger::Outcome { won, reason } => {
            let to = if won { Stage::Customer } else { Stage::Disqualified };
            if to == from {
                stay(already(to))
            } else if from == Stage::Customer {
                stay(Message::new("lifecycle.customer_stays"))
            } else {
                let why = if reason.trim().is_empty() { if won { "won" } else { "lost" } } else { reason };
                to_move(to, why)
            }
        }
        Trigger::Manual { to, reason } => {
            if to == from {
                stay(already(to))
            } else if reason.trim().is_empty() {
                stay(Message::new("lifecycle.needs_reason"))
            } else if from.can_move_to(to) {
                to_move(to, reason)
            } else {
                stay(not_allowed(to))
            }
        }
        Trigger::ReEngage { reason } => {
            if from != Stage::Nurture {
                stay(Message::new("lifecycle.not_nurtured").with("stage", from.name()))
            } else if reason.trim().is_empty() {
                said_move(Stage::Mql, Message::new("lifecycle.re_engaged"))
            } else {
                said_move(Stage::Mql, Message::new("lifecycle.re_engaged").with("reason", reason.trim()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_shortest_chains_of_allowed_moves() {
        use Stage::*;
        let check = |from: Stage, to: Stage, want: Option<&[Stage]>| {
            assert_eq!(from.path_to(to).as_deref(), want, "{from} -> {to}");
        };
        check(Unqualified, Customer, Some(&[Sql, Opportunity, Customer]));
        check(Unqualified, Mql, Some(&[Mql]));
        check(Mql, Mql, Some(&[]));
        check(Disqualified, Customer, Some(&[Unqualified, Sql, Opportunity, Customer]));
        check(Nurture, Opportunity, Some(&[Sql, Opportunity]));
        check(Customer, Unqualified, None);
        for from in Stage::ALL {
            for to in Stage::ALL {
                if let Some(path) = from.path_to(to) {
                    let mut at = from;
                    for step in path {
                        assert!(at.can_move_to(step), "{from} -> {to}: {at} -> {step}");
                        at = step;
                    }
                    assert_eq!(at, to);
                }
            }
        }
    }
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).single().expect("valid date")
    }

    #[test]
    fn a_lead_walks_the_funnel_and_every_move_is_recorded() {
        let mut lead = Lead::default();
        let path = [Stage::Mql, Stage::Cql, Stage::Sql, Stage::Opportunity, Stage::Customer];
        for (i, stage) in path.into_iter().enumerate() {
            lead.move_to(stage, at(i as u32 + 1), "tester", "walked").expect("allowed move");
        }
        assert_eq!(lead.stage, Stage::Customer);
        assert_eq!(lead.history.len(), 5);
        assert_eq!(lead.history[0].from, Stage::Unqualified);
        assert_eq!(lead.history[4].to, Stage::Customer);
        assert!(lead.history.windows(2).all(|w| w[0].to == w[1].from && w[0].at < w[1].at));
    }

    #[test]
    fn forbidden_moves_are_refused_and_leave_the_lead_unchanged() {
        let check = |from: Stage, to: Stage| {
            let mut lead = Lead { stage: from, ..Lead::default() };
            let err = lead.move_to(to, at(1), "tester", "try").expect_err("must be refused");
            assert!(matches!(err, TransitionError::NotAllowed { .. }), "{from} -> {to}");
            assert_eq!(lead.stage, from);
            assert!(lead.history.is_empty());
        };
        check(Stage::Unqualified, Stage::Opportunity);
        check(Stage::Unqualified, Stage::Customer);
        check(Stage::Disqualified, Stage::Sql);
        check(Stage::Customer, Stage::Nurture);
        check(Stage::Sql, Stage::Mql);
    }

    #[test]
    fn nurture_and_disqualified_are_exits_with_a_way_back() {
        assert!(Stage::Sql.can_move_to(Stage::Nurture));
        assert!(Stage::Nurture.can_move_to(Stage::Sql));
        assert!(Stage::Disqualified.can_move_to(Stage::Unqualified));
        for stage in Stage::ALL {
            if stage != Stage::Customer {
                assert!(
                    stage.can_move_to(Stage::Disqualified) || stage == Stage::Disqualified,
                    "{stage} should be able to leave the funnel"
                );
            }
        }
    }

    #[test]
    fn a_move_needs_a_reason_and_a_move_to_the_same_stage_is_a_no_op() {
        let mut lead = Lead::default();
        assert_eq!(lead.move_to(Stage::Mql, at(1), "t", "  "), Err(TransitionError::MissingReason));
        assert_eq!(lead.move_to(Stage::Unqualified, at(1), "t", "x"), Ok(None));
        assert!(lead.history.is_empty());
    }

    #[test]
    fn stage_names_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(stage.name().parse::<Stage>(), Ok(stage));
            assert_eq!(stage.name().to_uppercase().parse::<Stage>(), Ok(stage));
        }
        assert!("lead".parse::<Stage>().is_err());
    }

    fn decision(verdict: crate::Verdict) -> Decision {
        Decision {
            verdict,
            failed_level: None,
            framework: "bant".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date"),
            language: crate::Language::En,
            reasons: vec!["the reason".into()],
            reason_messages: Vec::new(),
            next_step: "next".into(),
            next_step_message: None,
            levels: Vec::new(),
            next_questions: Vec::new(),
            nurture: None,
            playbook: None,
        }
    }

    #[test]
    fn a_move_for_sifts_own_reason_keeps_its_message() {
        let rules = crate::LeadTypeRules::default();
        let at = chrono::Utc::now();
        let form = crate::lead::Activity { kind: crate::ActivityKind::FormSubmission, at, detail: None };
        let typed = rules.classify(&[form]).expect("a rule fires");
        let plan = plan_move(Stage::Mql, Trigger::LeadType(&typed), "lead-type rules");
        let moved = plan.as_move().expect("moves");
        assert_eq!(moved.message.as_ref().map(|m| m.code.as_str()), Some("lead_type.activity"));
        assert_eq!(moved.message.as_ref().map(Message::english).as_deref(), Some(moved.reason.as_str()));
        let mut qualified = decision(crate::Verdict::Qualified);
        qualified.reason_messages = vec![Message::new("gate.reason.all_pass")];
        qualified.reasons = vec![Message::new("gate.reason.all_pass").english()];
        let plan = plan_move(Stage::Mql, Trigger::Verdict(&qualified), "gate");
        let moved = plan.as_move().expect("moves");
        assert_eq!(moved.message.as_ref().map(|m| m.code.as_str()), Some("lifecycle.verdict"));
        assert_eq!(moved.reason, "qualified: all three levels pass");
        // A reason a person typed has no message.
        let plan = plan_move(Stage::Mql, Trigger::Manual { to: Stage::Sql, reason: "met them" }, "dana");
        assert_eq!(plan.as_move().and_then(|m| m.message.as_ref()), None);
    }

    #[test]
    fn plan_move_decides_every_trigger_in_one_place() {
        use crate::Verdict::*;
        let lead_type = |stage| LeadTypeDecision {
            stage,
            rule: "trial".into(),
            explanation: "signed up for a trial".into(),
            explanation_message: None,
            evidence: vec![0],
            points: 0,
        };
        let check = |from: Stage, trigger: Trigger<'_>, expected: Option<Stage>| {
            let plan = plan_move(from, trigger, "tester");
            assert_eq!(plan.as_move().map(|m| m.to), expected, "{from} on {trigger:?}: {plan:?}");
            match &plan {
                MovePlan::Move(m) => {
                    assert_eq!((m.from, m.actor.as_str()), (from, "tester"));
                    assert!(!m.reason.is_empty());
                }
                MovePlan::Stay { stage, reason, .. } => {
                    assert_eq!(*stage, from);
                    assert!(!reason.is_empty(), "a stay says why");
                }
            }
        };
        let (q, n, d, i) = (decision(Qualified), decision(Nurture), decision(Disqualified), decision(NeedsInfo));
        check(Stage::Mql, Trigger::Verdict(&q), Some(Stage::Sql));
        check(Stage::Unqualified, Trigger::Verdict(&n), Some(Stage::Nurture));
        check(Stage::Pql, Trigger::Verdict(&d), Some(Stage::Disqualified));
        check(Stage::Mql, Trigger::Verdict(&i), None);
        check(Stage::Sql, Trigger::Verdict(&q), None);
        check(Stage::Customer, Trigger::Verdict(&d), None);
        check(Stage::Disqualified, Trigger::Verdict(&q), None);
        let pql = lead_type(Stage::Pql);
        check(Stage::Unqualified, Trigger::LeadType(&pql), Some(Stage::Pql));
        check(Stage::Mql, Trigger::LeadType(&pql), Some(Stage::Pql));
        check(Stage::Sql, Trigger::LeadType(&pql), None);
        check(Stage::Cql, Trigger::LeadType(&pql), None);
        check(Stage::Sql, Trigger::Outcome { won: true, reason: "Closed Won" }, Some(Stage::Customer));
        check(Stage::Unqualified, Trigger::Outcome { won: true, reason: "" }, Some(Stage::Customer));
        check(Stage::Opportunity, Trigger::Outcome { won: false, reason: "Closed Lost" }, Some(Stage::Disqualified));
        check(Stage::Customer, Trigger::Outcome { won: false, reason: "" }, None);
        check(Stage::Sql, Trigger::Manual { to: Stage::Opportunity, reason: "deal opened" }, Some(Stage::Opportunity));
        check(Stage::Sql, Trigger::Manual { to: Stage::Opportunity, reason: " " }, None);
        check(Stage::Unqualified, Trigger::Manual { to: Stage::Customer, reason: "why not" }, None);
        check(Stage::Nurture, Trigger::ReEngage { reason: "budget next year" }, Some(Stage::Mql));
        check(Stage::Mql, Trigger::ReEngage { reason: "budget next year" }, None);
        check(Stage::Disqualified, Trigger::ReEngage { reason: "" }, None);
    }

    #[test]
    fn a_re_engaged_lead_carries_the_reason_it_was_nurtured() {
        let plan = plan_move(Stage::Nurture, Trigger::ReEngage { reason: " budget opens in Q3 " }, "nurture schedule");
        assert_eq!(plan.as_move().map(|m| m.reason.as_str()), Some("re-engage date reached: budget opens in Q3"));
        let plan = plan_move(Stage::Nurture, Trigger::ReEngage { reason: "" }, "nurture schedule");
        assert_eq!(plan.as_move().map(|m| m.reason.as_str()), Some("re-engage date reached"));
        // Sift's own words, so the move keeps its message and reads in the reader's language.
        let code = plan.as_move().and_then(|m| m.message.as_ref()).map(|m| m.code.as_str());
        assert_eq!(code, Some("lifecycle.re_engaged"));
    }

    #[test]
    fn the_verdict_reason_travels_with_the_move() {
        let plan = plan_move(Stage::Mql, Trigger::Verdict(&decision(crate::Verdict::Qualified)), "gate");
        assert_eq!(plan.as_move().map(|m| m.reason.as_str()), Some("qualified: the reason"));
    }
}
