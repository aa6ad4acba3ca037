//! The policy in force, and its reloading: on SIGHUP and when the file changes. A reload
//! that fails keeps the policy in force and says why; requests are never dropped, since
//! each reads the policy once, as it was when it started.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use flowgate_core::policy::Policy;

/// The policy in force.
#[derive(Debug)]
pub struct PolicyStore {
    path: PathBuf,
    current: RwLock<(Arc<Policy>, Option<SystemTime>)>,
}

/// Reads and checks the policy file.
pub fn load(path: &Path) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("policy file {}: {err}", path.display()))?;
    Policy::from_toml(&text).map_err(|err| format!("policy file {}: {err}", path.display()))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl PolicyStore {
    /// Loads the file; an error here stops the gate.
    pub fn open(path: &Path) -> Result<PolicyStore, String> {
        let stamp = modified(path);
        let policy = load(path)?;
        Ok(PolicyStore {
            path: path.to_owned(),
            current: RwLock::new((Arc::new(policy), stamp)),
        })
    }

    /// The policy in force.
    pub fn get(&self) -> Arc<Policy> {
        match self.current.read() {
            Ok(guard) => guard.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    /// Reads the file again; on success the new policy is in force.
    pub fn reload(&self) -> Result<(), String> {
        let stamp = modified(&self.path);
        let policy = load(&self.path);
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        // The stamp moves on either way, so a bad file is reported once, not every second.
        guard.1 = stamp;
        guard.0 = Arc::new(policy?);
        Ok(())
    }

    /// Whether the file changed since it was last read.
    fn changed(&self) -> bool {
        let stamp = modified(&self.path);
        match self.current.read() {
            Ok(guard) => guard.1 != stamp,
            Err(_) => true,
        }
    }

    /// Reloads on SIGHUP and whenever the file's modification time changes (checked each
    /// second), for as long as the process runs.
    pub fn watch(self: Arc<Self>) {
        let on_signal = self.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hangups) = signal(SignalKind::hangup()) else {
                eprintln!(
                    "flowgate-gate: cannot listen for SIGHUP; the policy reloads when its file changes"
                );
                return;
            };
            while hangups.recv().await.is_some() {
                on_signal.report(on_signal.reload(), "SIGHUP");
            }
        });
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                if self.changed() {
                    self.report(self.reload(), "a change of the file");
                }
            }
        });
    }

    fn report(&self, result: Result<(), String>, cause: &str) {
        match result {
            Ok(()) => eprintln!(
                "flowgate-gate: policy reloaded after {cause}: {}",
                self.path.display()
            ),
            Err(err) => eprintln!(
                "flowgate-gate: the policy was not reloaded after {cause}, the one in force stays: {err}"
            ),
        }
    }
}
