//! With a gate in front of Prefect, what its policy says for the person signed in: core's
//! verdict (the one the gate enforces with) on the case the gate serves, worked out again as
//! the input changes.

use flowgate_client::ClientError;
use flowgate_core::policy::{Permission, PolicyCase, PolicyVerdict, policy_verdict};
use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::reject::GateSay;
use crate::components::error_view::ErrorText;
use crate::state::connection::Connection;
use crate::state::gate::GatePresence;

/// What the gate's policy says of this run for the person, and what follows for the page.
#[derive(Clone, Copy)]
pub(super) struct GatePolicy {
    /// Core's verdict on the gate's case for this input; `None` without a gate (or while
    /// the case is read).
    pub(super) verdict: Memo<Option<Result<PolicyVerdict, ClientError>>>,
    /// Nothing is sent while it is not known whether a gate decides, nor while its policy
    /// does not allow an approval.
    pub(super) blocks: Memo<bool>,
    /// Who is signed in, and why they may not reject, for the reject panel.
    pub(super) say: Signal<Option<GateSay>>,
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
        let case = LocalResource::new(move || {
            let wanted = is_paused && gate.present();
            let client = connection.client();
            async move {
                if !wanted {
                    return Ok(None);
                }
                client?.gate_policy::<PolicyCase>(id).await.map(Some)
            }
        });
        let verdict = Memo::new(move |_| -> Option<Result<PolicyVerdict, ClientError>> {
            let input = input.get().ok().flatten();
            match case.get()? {
                Ok(Some(case)) => Some(Ok(policy_verdict(&case, input.as_ref()))),
                Ok(None) => None,
                Err(error) => Some(Err(error)),
            }
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
            Err(error) => view! {
                <p class="verdict verdict-reject" data-testid="policy-line">"The gate's policy could not be read: " <ErrorText error=error/></p>
            }.into_any(),
        })
    }
}
