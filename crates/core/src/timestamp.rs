//! Timestamps as Prefect writes them.
//!
//! Prefect (pydantic) writes UTC instants as `2026-11-28T21:52:22.275000Z`: microseconds with
//! six digits when non-zero, none when zero. Writing them back the same way keeps a round
//! trip lossless. Reading accepts any RFC 3339 offset and a missing offset (taken as UTC).

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserializer, Serializer};

/// Formats an instant as Prefect does.
pub fn format(at: &DateTime<Utc>) -> String {
    if at.nanosecond().is_multiple_of(1_000_000_000) {
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    } else {
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

/// Parses an RFC 3339 timestamp; one without an offset is taken as UTC.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    // Without an offset: the same text with UTC's (a text that has one, or a `Z`, fails
    // again). Not `parse_from_str` with a format string: its parser of format strings is code
    // the console's wasm carries for nothing.
    DateTime::parse_from_rfc3339(&format!("{text}Z"))
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| format!("{text:?} is not an RFC 3339 timestamp"))
}

pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(at))
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    crate::parse::parsed_str(d, parse)
}

/// The same, for optional timestamps (`null` stays `null`).
pub(crate) mod option {
    use chrono::{DateTime, Utc};
    use serde::de::Visitor;
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    /// `null`, or a timestamp read as [`super::deserialize`] reads it.
    struct MaybeTimestamp;

    impl<'de> Visitor<'de> for MaybeTimestamp {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            super::deserialize(d).map(Some)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(MaybeTimestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::{format, parse};

    #[test]
    fn reads_rfc3339_and_a_missing_offset_as_utc() {
        let read = |text| parse(text).map(|at| format(&at));
        assert_eq!(
            read("2026-11-28T21:52:22.275000Z").as_deref(),
            Ok("2026-11-28T21:52:22.275000Z")
        );
        assert_eq!(
            read("2026-11-28T22:52:22.275+01:00").as_deref(),
            Ok("2026-11-28T21:52:22.275000Z")
        );
        assert_eq!(
            read("2026-11-28T21:52:22.275").as_deref(),
            Ok("2026-11-28T21:52:22.275000Z")
        );
        assert_eq!(
            read("2026-11-28T21:52:22").as_deref(),
            Ok("2026-11-28T21:52:22Z")
        );
        for bad in [
            "",
            "soon",
            "2026-11-28",
            "2026-11-28T21:52",
            "2026-11-28T21:52:22 ",
            "2026-11-28T21:52:22+01",
            "2026-11-28T21:52:22ZZ",
            "2026-02-30T21:52:22",
        ] {
            assert_eq!(
                parse(bad),
                Err(format!("{bad:?} is not an RFC 3339 timestamp")),
                "{bad:?}"
            );
        }
    }
}
