//! Timestamps as a person reads them: in the browser's time zone, with how long ago, and the
//! exact UTC instant on hover. The zone is said once, in the header ([`ZoneNote`]); a time
//! carries its own only where its offset differs from today's (the other side of a change
//! to or from summer time).

use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Timelike, Utc};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// `at` in the browser's time zone (its offset at that instant, so summer time is right).
fn in_local_zone(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    // JS gives minutes *behind* UTC.
    let offset_seconds = -(date.get_timezone_offset() * 60.0) as i32;
    let zone = FixedOffset::east_opt(offset_seconds).unwrap_or(Utc.fix());
    at.with_timezone(&zone)
}

/// The browser's zone as it is now, e.g. `UTC+01:00`.
fn zone_now() -> String {
    let now = DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default();
    zone_name(&in_local_zone(now))
}

/// `UTC+01:00`: the offset as `%:z` writes it. The times here are written field by field, not
/// with chrono's format strings: their parser is code the console's wasm would carry for this.
fn zone_name<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    let seconds = at.offset().fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `2026-11-29 10:42:07`, in `at`'s own zone.
fn date_time<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// The zone the page's times are in, said once (in the header).
#[component]
pub(crate) fn ZoneNote() -> impl IntoView {
    view! {
        <span class="zone-note" data-testid="time-zone" title="Times are shown in this browser's time zone">
            {format!("times in {}", zone_now())}
        </span>
    }
}

/// The time of day of `at` in the browser's zone, e.g. `10:42`.
pub(crate) fn clock_time(at: DateTime<Utc>) -> String {
    let local = in_local_zone(at);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago"; "in 5 min" for the future.
pub(crate) fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds();
    let amount = seconds.abs();
    let span = match amount {
        0..=4 => return "just now".into(),
        5..=59 => format!("{amount} s"),
        60..=3_599 => format!("{} min", amount / 60),
        3_600..=86_399 => format!("{} h", amount / 3_600),
        _ if amount / 86_400 == 1 => "1 day".into(),
        _ => format!("{} days", amount / 86_400),
    };
    if seconds >= 0 {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

/// A timestamp in local time; with a clock, also how long ago, kept current. (The page's first
/// script writes the inbox's the same way before the wasm runs: web/loader/first-reads.js.)
#[component]
pub(crate) fn LocalTime(
    at: DateTime<Utc>,
    #[prop(optional)] clock: Option<ReadSignal<DateTime<Utc>>>,
) -> impl IntoView {
    let local = in_local_zone(at);
    let shown = date_time(&local);
    let zone = zone_name(&local);
    let own_zone = (zone != zone_now()).then(|| view! { " "<small class="zone">{zone}</small> });
    view! {
        <time datetime=at.to_rfc3339() title=format!("{}.{:03} UTC", date_time(&at), at.timestamp_subsec_millis() % 1_000)>
            {shown}{own_zone}
            {clock.map(|clock| view! { " · "<span class="ago">{move || relative(at, clock.get())}</span> })}
        </time>
    }
}

#[cfg(test)]
mod tests {
    use super::{date_time, relative, zone_name};
    use chrono::{Duration, FixedOffset, TimeZone, Utc};

    #[test]
    fn times_are_written_as_chronos_format_strings_wrote_them() {
        let at = Utc.with_ymd_and_hms(2026, 3, 9, 7, 5, 3).unwrap();
        for east in [
            0,
            3_600,
            -5 * 3_600 - 30 * 60,
            5 * 3_600 + 45 * 60,
            14 * 3_600,
        ] {
            let local = at.with_timezone(&FixedOffset::east_opt(east).expect("an offset"));
            assert_eq!(
                date_time(&local),
                local.format("%Y-%m-%d %H:%M:%S").to_string()
            );
            assert_eq!(zone_name(&local), local.format("UTC%:z").to_string());
        }
        assert_eq!(date_time(&at), "2026-03-09 07:05:03");
        assert_eq!(zone_name(&at), "UTC+00:00");
    }

    #[test]
    fn relative_time_reads_like_a_person_would_say_it() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
        let ago = |seconds| relative(now - Duration::seconds(seconds), now);
        assert_eq!(ago(2), "just now");
        assert_eq!(ago(42), "42 s ago");
        assert_eq!(ago(5 * 60 + 59), "5 min ago");
        assert_eq!(ago(3 * 3600), "3 h ago");
        assert_eq!(ago(86_400 + 5), "1 day ago");
        assert_eq!(ago(3 * 86_400), "3 days ago");
        assert_eq!(ago(-300), "in 5 min");
    }
}
