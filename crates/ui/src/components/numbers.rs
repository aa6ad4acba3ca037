//! Counts as people read them: digits grouped by thousands ("1,018"), and the noun in the
//! number it agrees with ("1 paused run", "1,018 paused runs").

/// `n` with its thousands grouped by commas: `1018` → `"1,018"`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `n` and the noun for it: `counted(1, "run", "runs")` → `"1 run"`, else `"1,018 runs"`.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", grouped(n))
    }
}

#[cfg(test)]
mod tests {
    use super::{counted, grouped};

    #[test]
    fn thousands_are_grouped_and_nouns_agree() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_018), "1,018");
        assert_eq!(grouped(12_345_678), "12,345,678");
        assert_eq!(counted(1, "paused run", "paused runs"), "1 paused run");
        assert_eq!(counted(0, "paused run", "paused runs"), "0 paused runs");
        assert_eq!(
            counted(1_018, "paused run", "paused runs"),
            "1,018 paused runs"
        );
    }
}
