//! `signal`: an `AbortSignal` in a call's options gives the call up. The call's
//! Promise then rejects with a `FlowgateError` of kind `aborted`, and its work is dropped: its
//! requests are aborted and its timers cleared (`flowgate-client`'s transport does both when
//! dropped). A request that already reached the server may still take effect.

use std::future::Future;
use std::pin::Pin;

use futures_util::future::{Either, select};
use wasm_bindgen::prelude::*;

use crate::convert::{Options, invalid_argument, plain_error};

/// An `AbortSignal` (anything with a boolean `aborted` and `addEventListener`: browsers',
/// Node's and polyfills' alike).
pub(crate) struct Signal(JsValue);

fn property(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn method(value: &JsValue, key: &str) -> Option<js_sys::Function> {
    property(value, key).dyn_into::<js_sys::Function>().ok()
}

/// The options' `signal`: none, or an `AbortSignal`; anything else is `invalidArgument`.
pub(crate) fn signal_from(options: &Options) -> Result<Option<Signal>, JsValue> {
    let value = options.get("signal")?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let looks_right = value.is_object()
        && property(&value, "aborted").as_bool().is_some()
        && method(&value, "addEventListener").is_some()
        && method(&value, "removeEventListener").is_some();
    if !looks_right {
        return Err(invalid_argument(
            "signal must be an AbortSignal, such as new AbortController().signal",
        ));
    }
    Ok(Some(Signal(value)))
}

/// The options of a call that takes nothing else, `{ signal? }`: none, or an `AbortSignal`;
/// anything else is `invalidArgument`.
pub(crate) fn call_signal(options: &JsValue) -> Result<Option<Signal>, JsValue> {
    signal_from(&Options::new("options", options, &["signal"])?)
}

/// Detaches the abort listener when the call settles, so a signal shared by many calls does
/// not collect one listener per call.
struct Listening {
    signal: JsValue,
    listener: Option<js_sys::Function>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let (Some(listener), Some(remove)) = (
            self.listener.take(),
            method(&self.signal, "removeEventListener"),
        ) {
            let _ = remove.call2(&self.signal, &"abort".into(), &listener);
        }
    }
}

/// Resolves once `signal` aborts (at once if it already has).
async fn aborted(signal: JsValue) {
    let mut listening = Listening {
        signal: signal.clone(),
        listener: None,
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if property(&signal, "aborted").as_bool() == Some(true) {
            let _ = resolve.call0(&JsValue::NULL);
        } else if let Some(add) = method(&signal, "addEventListener") {
            let _ = add.call2(&signal, &"abort".into(), &resolve);
            listening.listener = Some(resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    drop(listening);
}

/// A call's work, boxed so that the abort machinery below exists once in the wasm, not once
/// per call.
type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A Promise of `work` that settles as `work` does, or with `aborted` when `signal` aborts
/// first (and `work` is dropped).
pub(crate) fn cancellable(
    signal: Option<Signal>,
    work: impl Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    promise_of(signal, Box::pin(work))
}

fn promise_of(signal: Option<Signal>, work: Work) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(until_aborted(signal, work))
}

/// Runs `work` until it settles, or until `signal` aborts: then `aborted`, and `work` is
/// dropped.
async fn until_aborted(signal: Option<Signal>, work: Work) -> Result<JsValue, JsValue> {
    let Some(Signal(signal)) = signal else {
        return work.await;
    };
    let given_up = || {
        plain_error(
            "aborted",
            "The call was given up through its AbortSignal. A change it had already sent may \
             still take effect: read the run to know.",
        )
    };
    // A signal aborted already gives the call up before anything is sent.
    if property(&signal, "aborted").as_bool() == Some(true) {
        return Err(given_up());
    }
    match select(Box::pin(aborted(signal)), work).await {
        Either::Right((settled, _)) => settled,
        Either::Left(((), _)) => Err(given_up()),
    }
}
