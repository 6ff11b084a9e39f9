//! What the use cases decide with: frameworks, the ideal-customer profile, lead-type rules
//! and the gate's policy. The CLI builds it from files, the server from stored settings;
//! both hand in texts and get located errors back.

use sift_core::{Diagnostics, Framework, GatePolicy, Icp, LeadTypeRules, Registry};
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
        Ok(Config { registry, icp: None, rules: LeadTypeRules::default(), policy: GatePolicy::default() })
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

    pub fn icp(&self) -> Option<&Icp> {
        self.icp.as_ref().map(|v| &v.icp)
    }
}
