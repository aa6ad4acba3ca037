//! `signal`: an `AbortSignal` in a decision call's options gives the call up. The call's
//! Promise then rejects with a `FlowgateError` of kind `aborted`, and its work is dropped: its
//! requests are aborted and its timers cleared (`flowgate-client`'s transport does both when
//! dropped). A request that already reached the server may still take effect.

use std::future::Future;

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

/// Runs `work` until it settles, or until `signal` aborts: then `aborted`, and `work` is
/// dropped.
pub(crate) async fn until_aborted(
    signal: Option<Signal>,
    work: impl Future<Output = Result<JsValue, JsValue>>,
) -> Result<JsValue, JsValue> {
    let Some(Signal(signal)) = signal else {
        return work.await;
    };
    let given_up = || {
        plain_error(
            "aborted",
            "The call was given up through its AbortSignal. A request it had already sent may \
             still take effect: read the run to know.",
        )
    };
    // A signal aborted already gives the call up before anything is sent.
    if property(&signal, "aborted").as_bool() == Some(true) {
        return Err(given_up());
    }
    match select(Box::pin(aborted(signal)), Box::pin(work)).await {
        Either::Right((settled, _)) => settled,
        Either::Left(((), _)) => Err(given_up()),
    }
}
