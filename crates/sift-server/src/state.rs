//! What every handler shares: the store, the decision configuration, settings, password
//! hashing, metrics and rate limiters.

use std::sync::{Arc, RwLock};

use sift_app::Config;
use sift_app::accounts::Passwords;
use sift_store::Store;

use crate::limits::Limiters;
use crate::metrics::Metrics;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: RwLock<Arc<Config>>,
    settings: Settings,
    passwords: Passwords,
    metrics: Metrics,
    limiters: Limiters,
    jobs: Arc<crate::jobs::Shared>,
}

impl AppState {
    pub fn new(store: Store, config: Config, settings: Settings, passwords: Passwords) -> AppState {
        let limiters = Limiters::new(settings.sign_in_per_minute, settings.requests_per_second);
        AppState {
            inner: Arc::new(Inner {
                store,
                config: RwLock::new(Arc::new(config)),
                settings,
                passwords,
                metrics: Metrics::new(),
                limiters,
                jobs: Arc::default(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The configuration now; a settings change swaps it whole, so a request sees one
    /// consistent configuration from start to end.
    pub fn config(&self) -> Arc<Config> {
        match self.inner.config.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Swaps the configuration. The meaning model and the large model are not part of the
    /// stored configuration (they come from `--model` and `--llm` at start), so a new
    /// configuration keeps the running one's.
    pub fn set_config(&self, mut config: Config) {
        let mut guard = match self.inner.config.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if config.meaning.is_none() {
            config.meaning.clone_from(&guard.meaning);
        }
        if config.llm.is_none() {
            config.llm.clone_from(&guard.llm);
        }
        *guard = Arc::new(config);
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn passwords(&self) -> &Passwords {
        &self.inner.passwords
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn limiters(&self) -> &Limiters {
        &self.inner.limiters
    }

    /// Parsed scoring models and the bell that wakes this process's job workers.
    pub fn jobs(&self) -> &crate::jobs::Shared {
        &self.inner.jobs
    }
}
