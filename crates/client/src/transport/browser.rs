//! The browser's (and Node's) network: one request, built by gloo-net and sent through the
//! global `fetch`, with a timeout that aborts it; timers, clock and random ids from the JS host.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::RequestBuilder;
use wasm_bindgen::prelude::*;

use super::{NoAnswer, Reply};
use crate::request::{ApiRequest, Method};

#[wasm_bindgen]
extern "C" {
    // The global timers, present in browsers, workers and Node alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Closure<dyn FnMut()>, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
    // The global `fetch`, as gloo-net binds it, so a failure's whole JS error is at hand.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> js_sys::Promise;
}

/// A scheduled callback that is cancelled when dropped: a wait or a request abandoned half way
/// (a watch closed, a call given up) leaves nothing scheduled, so a Node process whose work is
/// done exits at once instead of when a forgotten timer fires.
struct Timer {
    handle: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn start(ms: i32, callback: Closure<dyn FnMut()>) -> Timer {
        Timer {
            handle: set_timeout(&callback, ms),
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}

/// A request's `AbortController`, aborted when dropped unless the exchange finished: a call
/// given up half way does not leave its fetch running.
struct AbortOnDrop {
    controller: web_sys::AbortController,
    finished: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.finished {
            self.controller.abort();
        }
    }
}

/// Sends the request; returns the status and body text. A read the page sent before this
/// code was running (see [`first_read`]) is answered by that read instead.
pub(crate) async fn send(request: &ApiRequest, timeout_ms: u32) -> Result<Reply, NoAnswer> {
    let controller = web_sys::AbortController::new()
        .map_err(|err| NoAnswer::Network(format!("cannot create an AbortController: {err:?}")))?;
    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Closure::<dyn FnMut()>::new(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = Timer::start(i32::try_from(timeout_ms).unwrap_or(i32::MAX), on_timeout);
    let mut guard = AbortOnDrop {
        controller,
        finished: false,
    };
    let signal = guard.controller.signal();
    let result = match first_read(request, &signal) {
        Some(read) => answer(read, "the page's first read gave no response").await,
        None => exchange(request, &signal).await,
    };
    guard.finished = true;
    drop(timer);
    match result {
        Err(_) if timed_out.get() => Err(NoAnswer::Timeout),
        other => other,
    }
}

async fn exchange(request: &ApiRequest, signal: &web_sys::AbortSignal) -> Result<Reply, NoAnswer> {
    let mut builder = match request.method {
        Method::Get => RequestBuilder::new(&request.url).method(gloo_net::http::Method::GET),
        Method::Post => RequestBuilder::new(&request.url).method(gloo_net::http::Method::POST),
        Method::Put => RequestBuilder::new(&request.url).method(gloo_net::http::Method::PUT),
        Method::Delete => RequestBuilder::new(&request.url).method(gloo_net::http::Method::DELETE),
    };
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    builder = builder.abort_signal(Some(signal));
    let prepared = match &request.body {
        Some(body) => builder.body(body.clone()),
        None => builder.build(),
    }
    .map_err(|err| NoAnswer::Network(err.to_string()))?;
    answer(
        fetch_request(&web_sys::Request::from(prepared)),
        "fetch gave no response",
    )
    .await
}

/// A fetch settled (ours, or one of the page's first reads): the answer's status, body and
/// whether it is an HTML page; or what the network said, for the request or its body alike.
/// `none` says what happened when it settled with something that is not a Response.
async fn answer(fetched: js_sys::Promise, none: &str) -> Result<Reply, NoAnswer> {
    let failed = |err: JsValue| NoAnswer::Network(failure_detail(&err));
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(fetched)
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| NoAnswer::Network(none.into()))?;
    let status = response.status();
    let html = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .is_some_and(|t| t.starts_with("text/html"));
    let text = wasm_bindgen_futures::JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .ok_or_else(|| NoAnswer::Network("the body was not text".into()))?;
    Ok((status, text, html))
}

/// What a failed fetch said: its message and, where the host gives one, its cause's. Node's
/// fetch says only "fetch failed", and why in its cause ("other side closed", "connect
/// ECONNREFUSED 127.0.0.1:4200"); a browser's "Failed to fetch" has none. Neither carries the
/// request's headers.
fn failure_detail(err: &JsValue) -> String {
    let Some(error) = err.dyn_ref::<js_sys::Error>() else {
        return "the request failed".into();
    };
    let mut detail = String::from(error.message());
    let mut cause = error.cause();
    // A cause may have its own (undici's socket errors do); three deep is plenty.
    for _ in 0..3 {
        let Some(next) = cause.dyn_ref::<js_sys::Error>() else {
            break;
        };
        let mut said = String::from(next.message());
        if said.is_empty() {
            // An AggregateError (every address of a name refused) has no message, only a code.
            said = js_sys::Reflect::get(next, &"code".into())
                .ok()
                .and_then(|code| code.as_string())
                .unwrap_or_default();
        }
        if !said.is_empty() && !detail.contains(&said) {
            detail = format!("{detail}: {said}");
        }
        cause = next.cause();
    }
    detail
}

/// The console's first reads (`web/loader/first-reads.js`) are sent by its HTML page before
/// the wasm is fetched and compiled: a read whose method, URL, headers and body are exactly
/// those of one of them takes its answer (once; aborted with `signal`) instead of sending the
/// same request again. Anything else, or nothing there, is sent as usual.
#[cfg(feature = "first-reads")]
fn first_read(request: &ApiRequest, signal: &web_sys::AbortSignal) -> Option<js_sys::Promise> {
    let method = match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put | Method::Delete => return None,
    };
    let take: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"flowgateFirstRead".into())
            .ok()?
            .dyn_into()
            .ok()?;
    let headers: Vec<String> = request
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let body = request
        .body
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    let args = js_sys::Array::of5(
        &method.into(),
        &request.url.as_str().into(),
        &headers.join("\n").into(),
        &body,
        signal,
    );
    take.apply(&JsValue::NULL, &args).ok()?.dyn_into().ok()
}

#[cfg(not(feature = "first-reads"))]
fn first_read(_: &ApiRequest, _: &web_sys::AbortSignal) -> Option<js_sys::Promise> {
    None
}

/// Waits `ms` milliseconds; dropped before then, it cancels its timer.
pub(crate) async fn sleep(ms: i32) {
    let mut timer = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        timer = Some(Timer::start(
            ms,
            Closure::once(move || {
                let _ = resolve.call0(&JsValue::NULL);
            }),
        ));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    drop(timer);
}

/// The host's clock (`Date.now()`).
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A random (v4) UUID from the host's `crypto.randomUUID()` (browsers and Node 20).
pub(crate) fn random_uuid() -> Option<uuid::Uuid> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let make = js_sys::Reflect::get(&crypto, &"randomUUID".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let text = make.call0(&crypto).ok()?.as_string()?;
    uuid::Uuid::parse_str(&text).ok()
}
