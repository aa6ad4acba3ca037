//! Time left before a pause times out, ticking once a second.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Now, from the browser's clock.
pub(crate) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A clock signal that ticks every second while the component lives.
pub(crate) fn ticking_clock() -> ReadSignal<DateTime<Utc>> {
    let (clock, set_clock) = signal(now());
    if let Ok(handle) = set_interval_with_handle(
        move || set_clock.set(now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    clock
}

/// "12m 04s left", or that the pause has timed out and what that means (written the same by
/// the page's first script for the inbox it draws before the wasm runs).
pub(crate) fn time_left(timeout: Option<DateTime<Utc>>, now: DateTime<Utc>) -> (String, bool) {
    let Some(timeout) = timeout else {
        return ("no timeout".into(), false);
    };
    let left = timeout - now;
    if left.num_seconds() < 0 {
        return ("timed out: resuming now fails the run".into(), true);
    }
    let secs = left.num_seconds();
    let text = match (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60) {
        (d, h, _, _) if d > 0 => format!("{d}d {h}h left"),
        (_, h, m, _) if h > 0 => format!("{h}h {m:02}m left"),
        (_, _, m, s) => format!("{m}m {s:02}s left"),
    };
    (text, false)
}

/// The live countdown for a pause.
#[component]
pub(crate) fn Countdown(
    timeout: Option<DateTime<Utc>>,
    clock: ReadSignal<DateTime<Utc>>,
) -> impl IntoView {
    move || {
        let (text, expired) = time_left(timeout, clock.get());
        view! { <span class=if expired { "countdown expired" } else { "countdown" }>{text}</span> }
    }
}

#[cfg(test)]
mod tests {
    use super::time_left;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn time_left_reads_like_a_person_would_say_it() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .single()
            .expect("time");
        let cases = [
            (Some(now + Duration::seconds(65)), "1m 05s left", false),
            (Some(now + Duration::minutes(125)), "2h 05m left", false),
            (Some(now + Duration::hours(50)), "2d 2h left", false),
            (
                Some(now - Duration::seconds(1)),
                "timed out: resuming now fails the run",
                true,
            ),
            (None, "no timeout", false),
        ];
        for (timeout, text, expired) in cases {
            assert_eq!(time_left(timeout, now), (text.to_owned(), expired));
        }
    }
}
