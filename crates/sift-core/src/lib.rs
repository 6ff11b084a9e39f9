//! Sift's pure domain: leads and their lifecycle, the lead-type classifier, the
//! ideal-customer profile, qualification frameworks as data, the three-level gate, and
//! playbooks that route each segment of leads to its own framework, profile and owners.
//!
//! Nothing here does I/O: callers pass file names and texts in and get values or
//! located diagnostics back.

pub mod answers;
pub mod classify;
pub mod country;
pub mod csv_out;
pub mod diag;
pub mod framework;
pub mod gate;
pub mod icp;
pub mod lead;
pub mod lifecycle;
pub mod message;
pub mod playbook;
pub mod question;

pub use answers::AnswersFile;
pub use classify::{LeadTypeDecision, LeadTypeRules};
pub use diag::{Diagnostic, Diagnostics, Location};
pub use framework::{Concept, ConceptMap, Criterion, Framework, Level, Registry};
pub use gate::{
    CriterionAnswer, CriterionStatus, Decision, GateInput, GatePolicy, Verdict, VerdictParseError, carry_answers,
    qualify_lead,
};
pub use icp::Icp;
pub use lead::{Activity, ActivityKind, Company, Contact, CountryCode, Language, Lead, Seniority};
pub use lifecycle::{MovePlan, Stage, StageChange, StageMove, Trigger, plan_move, verdict_move_message};
pub use message::{Arg, Message};
pub use playbook::{Playbook, PlaybookUse, Playbooks, Routing};
