//! Money as integer fen (分) end to end: parsed exactly from what people type — "1234.56",
//! "1,234.56", "¥1,234.56", "17.5万", "3万元", full-width digits — or refused with a
//! message; never passed through floating point. Shown as ¥ with two decimals.
use crate::error::Msg;

/// The largest value accepted: 100亿元 (10¹² fen), far above any donation and far below
/// the 64-bit limit, so sums of many items cannot overflow.
pub const MAX_FEN: i64 = 1_000_000_000_000;

/// Parses a value in yuan into fen. Refusals: empty, not a number, negative or zero, more
/// decimals than a fen holds (two, or six with 万), misplaced thousands separators, more
/// than `MAX_FEN`.
pub fn parse_yuan(input: &str) -> Result<i64, Msg> {
    let text: String = input
        .trim()
        .chars()
        .map(|c| match c {
            // Full-width digits and punctuation, as a Chinese input method types them.
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '，' => ',',
            '￥' => '¥',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(Msg::new("err-required"));
    }
    let text = text.strip_prefix('¥').unwrap_or(&text);
    let text = text.strip_suffix('元').unwrap_or(text);
    let (number, wan) = match text.strip_suffix('万') {
        Some(n) => (n, true),
        None => (text, false),
    };
    if number.starts_with('-') {
        return Err(Msg::new("money-err-positive"));
    }
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    let whole = strip_thousands(whole).ok_or_else(|| Msg::new("money-err-format"))?;
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits_only(&whole)
        || !digits_only(fraction)
        || number.ends_with('.') && fraction.is_empty() && whole.is_empty()
    {
        return Err(Msg::new("money-err-format"));
    }
    // Fen per unit typed, and the decimals that unit allows.
    let (scale, places) = if wan {
        (1_000_000i128, 6)
    } else {
        (100i128, 2)
    };
    if fraction.len() > places {
        return Err(Msg::new(if wan {
            "money-err-places-wan"
        } else {
            "money-err-places"
        }));
    }
    let too_large = || Msg::new("money-err-max").arg("max", format_yuan(MAX_FEN));
    if whole.len() > 15 {
        return Err(too_large());
    }
    let whole_value: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| Msg::new("money-err-format"))?
    };
    let mut padded = fraction.to_string();
    while padded.len() < places {
        padded.push('0');
    }
    let fraction_value: i128 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| Msg::new("money-err-format"))?
    };
    let fen = whole_value * scale + fraction_value;
    if fen <= 0 {
        return Err(Msg::new("money-err-positive"));
    }
    if fen > MAX_FEN as i128 {
        return Err(too_large());
    }
    Ok(fen as i64)
}

/// The digits of a whole part written with or without thousands separators ("1,234,567");
/// None when the separators are misplaced ("12,34").
fn strip_thousands(whole: &str) -> Option<String> {
    if !whole.contains(',') {
        return Some(whole.to_string());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    (first_ok && rest_ok).then(|| groups.concat())
}

/// Fen as yuan with two decimals and thousands separators: 17512345 → "¥175,123.45".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{:02}", fen % 100)
}

/// Fen as the plain decimal a form shows for editing: 17512345 → "175123.45".
pub fn plain_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> String {
        parse_yuan(input).unwrap_err().key
    }

    #[test]
    fn typed_values_become_exact_fen() {
        for (typed, fen) in [
            ("1234.56", 123_456),
            ("1,234.56", 123_456),
            ("¥1,234.56", 123_456),
            ("￥１２３４．５６", 123_456),
            ("1234", 123_400),
            ("1234元", 123_400),
            ("0.01", 1),
            (".5", 50),
            ("17.5万", 17_500_000),
            ("17.5万元", 17_500_000),
            ("3万", 3_000_000),
            ("0.000001万", 1),
            (" 1 234 ", 123_400),
            ("1,234,567.8", 123_456_780),
            ("0.29", 29),
            ("1.10", 110),
            ("100000000", 10_000_000_000),
        ] {
            assert_eq!(parse_yuan(typed), Ok(fen), "{typed}");
        }
        // 0.29 and 1.10 go wrong through f64 (28.999… fen); here they are exact.
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        assert_eq!(key(""), "err-required");
        assert_eq!(key("   "), "err-required");
        for bad in [
            "abc", "12a", "1.2.3", "12,34", "1,23", ",123", "1e5", "0x10", ".",
        ] {
            assert_eq!(key(bad), "money-err-format", "{bad}");
        }
        assert_eq!(key("-5"), "money-err-positive");
        assert_eq!(key("0"), "money-err-positive");
        assert_eq!(key("0.00"), "money-err-positive");
        assert_eq!(key("1.234"), "money-err-places");
        assert_eq!(key("1.2345678万"), "money-err-places-wan");
        assert_eq!(key("10000000001"), "money-err-max");
        assert_eq!(key("99999999999999999999999"), "money-err-max");
        assert_eq!(parse_yuan("10000000000"), Ok(MAX_FEN));
    }

    #[test]
    fn fen_read_as_yuan() {
        assert_eq!(format_yuan(17_512_345), "¥175,123.45");
        assert_eq!(format_yuan(1), "¥0.01");
        assert_eq!(format_yuan(100_000), "¥1,000.00");
        assert_eq!(format_yuan(99_999), "¥999.99");
        assert_eq!(format_yuan(-150), "-¥1.50");
        assert_eq!(plain_yuan(17_512_345), "175123.45");
        for fen in [1, 99, 100, 123_456, MAX_FEN] {
            assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
            assert_eq!(parse_yuan(&plain_yuan(fen)), Ok(fen));
        }
    }
}
