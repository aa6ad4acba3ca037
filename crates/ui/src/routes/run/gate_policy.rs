//! With a gate in front of Prefect, what its policy says for the person signed in: core's
//! verdict (the one the gate enforces with) on the case the gate serves, worked out again as
//! the input changes. The verdict's code is a wasm chunk of its own (`split_policy`), fetched
//! beside the case only when a gate answers: a run page without a gate does not carry it.

use flowgate_client::ClientError;
use flowgate_core::policy::{Permission, PolicyCase, PolicyVerdict, policy_verdict};
use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::reject::GateSay;
use crate::components::error_view::{ErrorText, TryAgain};
use crate::routes::run_chunk::ChunkError;
use crate::state::connection::Connection;
use crate::state::gate::GatePresence;

/// Core's policy verdict: the case the gate serves and the input, judged.
type Judge = fn(&PolicyCase, Option<&Value>) -> PolicyVerdict;

/// The split point: what only it reaches (core's policy verdict) goes to the chunk.
#[leptos::wasm_split::wasm_split(policy, fallible, wasm_split_path = ::leptos::wasm_split)]
fn policy_judge() -> Result<Judge, ChunkError> {
    Ok(policy_verdict)
}

/// Fetches the verdict's code. The console's own tests (one unsplit wasm, no chunk loader)
/// take it from the same wasm.
#[cfg(not(test))]
async fn load_judge() -> Result<Judge, ChunkError> {
    policy_judge()
        .await
        .map_err(|e| e.of("the gate's policy verdict"))
}

#[cfg(test)]
async fn load_judge() -> Result<Judge, ChunkError> {
    Ok(policy_verdict)
}

/// Why the policy's verdict is not known: its case could not be read, or its code fetched.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PolicyError {
    /// The gate's case for the run.
    Read(ClientError),
    /// The verdict's chunk.
    Code(ChunkError),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::Read(error) => error.fmt(f),
            PolicyError::Code(error) => error.fmt(f),
        }
    }
}

/// What the gate's policy says of this run for the person, and what follows for the page.
#[derive(Clone, Copy)]
pub(super) struct GatePolicy {
    /// Core's verdict on the gate's case for this input; `None` without a gate (or while
    /// the case is read).
    pub(super) verdict: Memo<Option<Result<PolicyVerdict, PolicyError>>>,
    /// Nothing is sent while it is not known whether a gate decides, nor while its policy
    /// does not allow an approval.
    pub(super) blocks: Memo<bool>,
    /// Who is signed in, and why they may not reject, for the reject panel.
    pub(super) say: Signal<Option<GateSay>>,
    /// Bumped by Try again when the verdict's code could not be fetched.
    retries: RwSignal<u64>,
}

impl GatePolicy {
    /// Reads the gate's case for run `id` (only if it is paused and a gate is present) and
    /// judges `input` by it. Mounted alone (the browser tests) there is no gate to ask.
    pub(super) fn new(
        id: Uuid,
        is_paused: bool,
        input: Memo<Result<Option<Value>, String>>,
    ) -> GatePolicy {
        let connection = expect_context::<Connection>();
        let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
        let retries = RwSignal::new(0u64);
        let case = LocalResource::new(move || {
            retries.track();
            let wanted = is_paused && gate.present();
            let client = connection.client();
            async move {
                if !wanted {
                    return Ok::<_, ClientError>(None);
                }
                // The case and the verdict's code, fetched together.
                let client = client?;
                let (case, judge) =
                    futures_util::join!(client.gate_policy::<PolicyCase>(id), load_judge());
                Ok(Some((case?, judge)))
            }
        });
        let verdict = Memo::new(move |_| -> Option<Result<PolicyVerdict, PolicyError>> {
            let input = input.get().ok().flatten();
            case.with(|case| match case.as_ref()? {
                Ok(Some((case, Ok(judge)))) => Some(Ok(judge(case, input.as_ref()))),
                Ok(Some((_, Err(error)))) => Some(Err(PolicyError::Code(error.clone()))),
                Ok(None) => None,
                Err(error) => Some(Err(PolicyError::Read(error.clone()))),
            })
        });
        let blocks = Memo::new(move |_| {
            if gate.asking() {
                return true;
            }
            gate.present() && verdict.with(|p| !matches!(p, Some(Ok(v)) if v.approve.is_allowed()))
        });
        let say = Signal::derive(move || {
            let user = match gate.get()? {
                Ok(Some(found)) => found.person.user,
                Ok(None) => return None,
                Err(error) => {
                    return Some(GateSay {
                        user: String::new(),
                        refused: Some(error.to_string()),
                    });
                }
            };
            let refused = match verdict.get() {
                None => Some("Reading what the gate's policy allows…".to_owned()),
                Some(Err(error)) => Some(error.to_string()),
                Some(Ok(verdict)) => match verdict.reject {
                    Permission::Allowed { .. } => None,
                    Permission::Refused { reason, .. } => Some(reason),
                },
            };
            Some(GateSay { user, refused })
        });
        GatePolicy {
            verdict,
            blocks,
            say,
            retries,
        }
    }

    /// The resume button's word: an approval where the policy needs several.
    pub(super) fn resume_word(self) -> &'static str {
        match self.verdict.get() {
            Some(Ok(verdict)) if verdict.needed > 1 => match verdict.approve {
                Permission::Allowed { completes: true } => "Approve and resume",
                _ => "Approve",
            },
            _ => "Resume",
        }
    }
}

/// The policy's verdict for the person, above the resume button.
#[component]
pub(super) fn PolicyLine(policy: GatePolicy) -> impl IntoView {
    move || {
        policy.verdict.get().map(|p| match p {
            Ok(verdict) => {
                let class = if verdict.approve.is_allowed() { "accept" } else { "reject" };
                view! { <p class=format!("verdict verdict-{class}") data-testid="policy-line">{verdict.message}</p> }.into_any()
            }
            Err(PolicyError::Read(error)) => view! {
                <p class="verdict verdict-reject" data-testid="policy-line">"The gate's policy could not be read: " <ErrorText error=error/></p>
            }.into_any(),
            Err(PolicyError::Code(error)) => view! {
                <TryAgain retry=policy.retries>
                    <span class="error" data-testid="policy-line">{format!("What the gate's policy says cannot be shown: {error}")}</span>
                </TryAgain>
            }.into_any(),
        })
    }
}
