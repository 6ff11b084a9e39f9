//! What the use cases decide with: frameworks, the ideal-customer profile, lead-type rules,
//! playbooks, lexicon extensions and the gate's policy. The CLI builds it from files, the
//! server from stored documents (`config_docs`); both hand in texts and get located errors
//! back.

use sift_core::playbook::{PlaybookContext, parse_playbooks};
use sift_core::{Decision, Diagnostics, Framework, GatePolicy, Icp, LeadTypeRules, Playbook, Playbooks, Registry};
use sift_signals::lexicon::Lexicon;
use sift_store::record::content_version;

use crate::error::{AppError, Result};

/// An ideal-customer profile with the version tag stored with each decision it made.
#[derive(Debug, Clone)]
pub struct VersionedIcp {
    pub icp: Icp,
    pub version: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub registry: Registry,
    pub icp: Option<VersionedIcp>,
    pub rules: LeadTypeRules,
    pub policy: GatePolicy,
    /// Segments with their own framework, ICP, rules and owners; `None`: no routing.
    pub playbooks: Option<Playbooks>,
    /// Users' lexicon extensions, used by call analysis on top of the built-in lexicons.
    pub lexicons: Vec<Lexicon>,
    /// The local meaning model, when one is loaded; call analysis then reads meaning with it.
    pub meaning: Option<MeaningHandle>,
    /// A user's large model for call analysis (`--llm URL`), when one is configured.
    pub llm: Option<sift_llm::LlmConfig>,
}

/// A shared meaning model (loaded once, used by every analysis).
#[derive(Clone)]
pub struct MeaningHandle(pub std::sync::Arc<dyn sift_signals::meaning::MeaningModel>);

impl std::fmt::Debug for MeaningHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.describe())
    }
}

impl Config {
    /// The built-in frameworks, no ICP, the default lead-type rules and gate policy.
    pub fn builtin() -> Result<Config> {
        let registry = Registry::builtin().map_err(|d| {
            AppError::Invalid(Diagnostics(
                d.0.into_iter()
                    .map(|mut p| {
                        p.message = format!("the built-in frameworks are invalid (a bug in sift): {}", p.message);
                        p
                    })
                    .collect(),
            ))
        })?;
        Ok(Config {
            registry,
            icp: None,
            rules: LeadTypeRules::default(),
            policy: GatePolicy::default(),
            playbooks: None,
            lexicons: Vec::new(),
            meaning: None,
            llm: None,
        })
    }

    /// Adds a framework file; returns its warnings (closed questions, missing translations).
    pub fn load_framework(&mut self, source: &str, text: &str) -> Result<Diagnostics> {
        Ok(self.registry.load(source, text)?)
    }

    pub fn set_icp(&mut self, source: &str, text: &str) -> Result<()> {
        let icp = Icp::parse(source, text)?;
        self.icp = Some(VersionedIcp { icp, version: content_version(text) });
        Ok(())
    }

    pub fn set_rules(&mut self, source: &str, text: &str) -> Result<()> {
        self.rules = LeadTypeRules::parse(source, text)?;
        Ok(())
    }

    /// The framework `id`, or an error listing the known ones.
    pub fn framework(&self, id: &str) -> Result<&Framework> {
        self.registry.get(id).ok_or_else(|| AppError::NotFound {
            what: "framework",
            key: id.to_owned(),
            hint: format!("; known frameworks: {}", self.registry.ids().join(", ")),
        })
    }

    /// The version tag of a framework, stored with each decision made under it.
    pub fn framework_version(&self, framework: &Framework) -> String {
        content_version(&serde_json::to_string(framework).unwrap_or_default())
    }

    /// The meaning model to analyse calls with, if one is loaded.
    pub fn meaning(&self) -> Option<&dyn sift_signals::meaning::MeaningModel> {
        self.meaning.as_ref().map(|m| &*m.0)
    }

    pub fn icp(&self) -> Option<&Icp> {
        self.icp.as_ref().map(|v| &v.icp)
    }

    /// Reads a playbooks file against the frameworks known now (owners are not checked
    /// against users: a file has no database); returns its warnings.
    pub fn set_playbooks(&mut self, source: &str, text: &str) -> Result<Diagnostics> {
        let loaded = parse_playbooks(source, text, PlaybookContext { registry: &self.registry, users: None })?;
        self.playbooks = Some(loaded.playbooks);
        Ok(loaded.warnings)
    }

    /// The playbook `id`, if playbooks are configured and one has that id.
    pub fn playbook(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.as_ref().and_then(|p| p.get(id))
    }

    /// The lead-type rules for a lead of playbook `id`: the playbook's own, else the
    /// configuration's.
    pub fn rules_for(&self, playbook: Option<&str>) -> &LeadTypeRules {
        playbook.and_then(|id| self.playbook(id)).and_then(|p| p.lead_types.as_ref()).unwrap_or(&self.rules)
    }

    /// The version tag of the ICP a decision was judged by: its playbook's own profile when
    /// it had one, else the configuration's.
    pub fn icp_version_for(&self, decision: &Decision) -> Option<String> {
        let own = decision.playbook.as_ref().and_then(|u| self.playbook(&u.id)).and_then(|p| p.icp.own());
        match own {
            Some(icp) => Some(content_version(&serde_json::to_string(icp).unwrap_or_default())),
            None => self.icp.as_ref().map(|i| i.version.clone()),
        }
    }
}
