//! Amounts, dates and times in a line of read text, as tills print them: `11.40`,
//! `1.234,50`, `12,50-`; `19-03-18`, `26/02/2018`, `2018-02-26`, `5 mrt 2019`;
//! `09:06`, `9:06 PM`.

use crate::date::Date;

/// An amount in cents and where it is in the line (char offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// Cents; negative for a refund or discount (`-1.00`, `1,00-`).
    pub cents: i64,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// Every amount with two decimals in the text, left to right. A number without
/// decimals (a quantity, a postcode) is not an amount, nor is a date (`19.03.18`).
pub fn amounts(text: &str) -> Vec<Amount> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !is_numeric(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_numeric(chars[j]) {
            j += 1;
        }
        // A trailing separator is punctuation: "11.40." or "12,50,".
        let mut end = j;
        while end > i && !chars[end - 1].is_ascii_digit() {
            end -= 1;
        }
        let glued = j < chars.len() && matches!(chars[j], '/' | ':' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit);
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let glued_before = matches!(previous, Some('/' | ':')) || (previous == Some('-') && i >= 2 && chars[i - 2].is_ascii_digit());
        if !glued && !glued_before {
            if let Some(cents) = parse_amount(&chars[i..end]) {
                let negative = previous == Some('-') || (chars.get(end) == Some(&'-') && !chars.get(end + 1).is_some_and(char::is_ascii_digit));
                out.push(Amount { cents: if negative { -cents } else { cents }, start: i, end });
            }
        }
        i = j.max(i + 1);
    }
    out
}

fn is_numeric(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || c == ','
}

/// `digits ( sep3 digits{3} )* dec digits{2}` with the decimal separator the last one
/// and different from the thousands separator.
fn parse_amount(chars: &[char]) -> Option<i64> {
    let n = chars.len();
    if n < 4 || !matches!(chars[n - 3], '.' | ',') {
        return None;
    }
    let decimal = chars[n - 3];
    let (whole, cents) = (&chars[..n - 3], &chars[n - 2..]);
    if !cents.iter().all(char::is_ascii_digit) {
        return None;
    }
    let groups: Vec<&[char]> = whole.split(|c| *c == '.' || *c == ',').collect();
    if groups.len() > 1 {
        let thousands = whole.iter().find(|c| !c.is_ascii_digit()).copied();
        let consistent = whole.iter().all(|c| c.is_ascii_digit() || Some(*c) == thousands);
        if thousands == Some(decimal) || !consistent || groups[1..].iter().any(|g| g.len() != 3) || groups[0].is_empty() || groups[0].len() > 3 {
            return None;
        }
    }
    let mut value: i64 = 0;
    for c in whole.iter().chain(cents).filter(|c| c.is_ascii_digit()) {
        value = value.checked_mul(10)?.checked_add(c.to_digit(10)? as i64)?;
    }
    Some(value)
}

/// A date in the text and where it is (char offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateAt {
    /// The date.
    pub date: Date,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// Month names and abbreviations in English, Dutch, German, French and Malay.
const MONTHS: [&[&str]; 12] = [
    &["jan", "january", "januari", "janvier", "januar"],
    &["feb", "february", "februari", "fevrier", "février", "februar"],
    &["mar", "mrt", "march", "maart", "mars", "mac", "märz", "maerz"],
    &["apr", "april", "avril"],
    &["may", "mei", "mai"],
    &["jun", "june", "juni", "juin"],
    &["jul", "july", "juli", "juillet", "julai"],
    &["aug", "august", "augustus", "ogos", "ags", "aout", "août"],
    &["sep", "sept", "september", "septembre"],
    &["oct", "okt", "october", "oktober", "octobre"],
    &["nov", "november", "novembre"],
    &["dec", "des", "december", "disember", "decembre", "décembre", "dezember"],
];

/// Every date in the text, left to right: day-month-year with `/`, `-` or `.` (a
/// two-digit year is 20yy; month-day-year only when the day-first reading is
/// impossible), year-month-day, and a day, a month name and a year.
pub fn dates(text: &str) -> Vec<DateAt> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    if lower.len() != chars.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // A date stands apart: "HD03-04-06" is a product code.
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        if let Some(found) = numeric_date(&chars, i).or_else(|| named_date(&lower, i)) {
            i = found.end;
            out.push(found);
        } else {
            i += 1;
        }
    }
    out
}

/// Digits from `i`: (value, count).
fn number(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let n = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 4 {
        return None;
    }
    let v = chars[i..i + n].iter().fold(0u32, |v, c| v * 10 + c.to_digit(10).unwrap_or(0));
    Some((v, n))
}

/// A year from the digits at `i`: four digits from 1990 to 2099, or two (20yy). OCR
/// often glues the time to the year ("26/02/1808:28", "9/3/201820:54:50"): a run of
/// four digits followed by a colon is a two-digit year, longer runs start with the year.
fn year_at(chars: &[char], i: usize) -> Option<(i32, usize)> {
    let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let value = |n: usize| chars[i..i + n].iter().fold(0i32, |v, c| v * 10 + c.to_digit(10).unwrap_or(0) as i32);
    let glued_time = run == 4 && chars.get(i + 4) == Some(&':');
    if run >= 4 && !glued_time && (1990..=2099).contains(&value(4)) {
        Some((value(4), 4))
    } else if run == 2 || glued_time {
        Some((2000 + value(2), 2))
    } else {
        None
    }
}

fn numeric_date(chars: &[char], i: usize) -> Option<DateAt> {
    let (a, na) = number(chars, i)?;
    let sep = *chars.get(i + na)?;
    if !matches!(sep, '/' | '-' | '.') {
        return None;
    }
    let (b, nb) = number(chars, i + na + 1)?;
    if nb > 2 || chars.get(i + na + 1 + nb) != Some(&sep) {
        return None;
    }
    let third = i + na + nb + 2;
    let (date, end) = if na == 4 {
        let (c, nc) = number(chars, third)?;
        (Date::new(a as i32, b as u8, c as u8), third + nc)
    } else if na <= 2 {
        let (y, ny) = year_at(chars, third)?;
        (Date::new(y, b as u8, a as u8).or_else(|| Date::new(y, a as u8, b as u8)), third + ny)
    } else {
        return None;
    };
    if na == 4 && chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    Some(DateAt { date: date?, start: i, end })
}

/// A date printed as eight digits, `20180304`, with a plausible year.
pub fn compact_date(text: &str) -> Option<DateAt> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).find_map(|i| {
        let boundary = |c: Option<&char>| !c.is_some_and(|c| c.is_alphanumeric());
        if !boundary(i.checked_sub(1).and_then(|p| chars.get(p))) || !boundary(chars.get(i + 8)) {
            return None;
        }
        let digits: Vec<u32> = chars.get(i..i + 8)?.iter().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
        let n = |r: std::ops::Range<usize>| digits[r].iter().fold(0u32, |v, d| v * 10 + d);
        let year = n(0..4) as i32;
        if !(1990..=2099).contains(&year) {
            return None;
        }
        let date = Date::new(year, n(4..6) as u8, n(6..8) as u8)?;
        Some(DateAt { date, start: i, end: i + 8 })
    })
}

fn named_date(lower: &[char], i: usize) -> Option<DateAt> {
    let (day, nd) = number(lower, i)?;
    if nd > 2 {
        return None;
    }
    let mut j = i + nd;
    while j < lower.len() && matches!(lower[j], ' ' | '-' | '.' | '/') && j - (i + nd) < 2 {
        j += 1;
    }
    let word_end = j + lower[j..].iter().take_while(|c| c.is_alphabetic()).count();
    let word: String = lower[j..word_end].iter().collect();
    let month = MONTHS.iter().position(|names| names.contains(&word.as_str()))? + 1;
    let mut k = word_end;
    while k < lower.len() && matches!(lower[k], ' ' | '-' | '.' | '/' | ',') && k - word_end < 2 {
        k += 1;
    }
    let (y, ny) = number(lower, k)?;
    let year = match ny {
        2 => 2000 + y as i32,
        4 => y as i32,
        _ => return None,
    };
    if lower.get(k + ny).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let date = Date::new(year, month as u8, day as u8)?;
    Some(DateAt { date, start: i, end: k + ny })
}

/// The first time of day in the text as (hour, minute), 24-hour: `09:06`, `21:06:33`,
/// `9:06 PM`, `9.06PM`.
pub fn time(text: &str) -> Option<(u8, u8)> {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == ':')) {
            continue;
        }
        let Some((h, nh)) = number(&chars, i) else { continue };
        let colon = chars.get(i + nh).copied();
        if nh > 2 || !matches!(colon, Some(':') | Some('.')) {
            continue;
        }
        let Some((m, nm)) = number(&chars, i + nh + 1) else { continue };
        if nm != 2 || h > 23 || m > 59 {
            continue;
        }
        let mut end = i + nh + 1 + nm;
        if colon == Some('.') {
            // 9.06 is a price unless AM/PM follows.
            let rest: String = chars[end..].iter().take(3).collect::<String>().trim_start().to_lowercase();
            if !(rest.starts_with("am") || rest.starts_with("pm")) {
                continue;
            }
        }
        if chars.get(end) == Some(&':') {
            end += 3;
        }
        let rest: String = chars[end.min(chars.len())..].iter().take(3).collect::<String>().trim_start().to_lowercase();
        let hour = match (rest.starts_with("pm"), rest.starts_with("am")) {
            (true, _) if h < 12 => h + 12,
            (_, true) if h == 12 => 0,
            _ => h,
        };
        return Some((hour as u8, m as u8));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(text: &str) -> Vec<i64> {
        amounts(text).iter().map(|a| a.cents).collect()
    }

    #[test]
    fn amounts_in_either_notation_but_not_dates_quantities_or_times() {
        assert_eq!(cents("Total Sales (Inclusive GST) RM 11.40"), [1140]);
        assert_eq!(cents("TOTAAL EUR 1.234,50"), [123450]);
        assert_eq!(cents("Total 1,234.50"), [123450]);
        assert_eq!(cents("KORTING 2,50- 3 x 1,99 5,97"), [-250, 199, 597]);
        assert_eq!(cents("-1.00 RM11.40"), [-100, 1140]);
        assert_eq!(cents("19.03.18 12:45 2811 ANGSA 41150"), Vec::<i64>::new());
        assert_eq!(cents("1,23,45.00 12.5 12.505"), Vec::<i64>::new());
        assert_eq!(cents("Betaald 12,50."), [1250]);
    }

    #[test]
    fn dates_day_first_with_named_months_and_impossible_dates_refused() {
        let d = |t: &str| dates(t).iter().map(|d| d.date.to_string()).collect::<Vec<_>>();
        assert_eq!(d("-09:06PM 569547 19-03-18"), ["2018-03-19"]);
        assert_eq!(d("Date: 26/02/2018 Time 10:15"), ["2018-02-26"]);
        assert_eq!(d("2019-01-05"), ["2019-01-05"]);
        assert_eq!(d("05.01.2019"), ["2019-01-05"]);
        assert_eq!(d("12/25/2018"), ["2018-12-25"]);
        assert_eq!(d("5 mrt 2019 en 17 JAN 2018, 3-Dec-17"), ["2019-03-05", "2018-01-17", "2017-12-03"]);
        assert!(d("31/02/2018 11.40 2811 99/99/99").is_empty());
        // OCR glues the time to the year; a product code is no date.
        assert_eq!(d("26/02/1808:28 10886"), ["2018-02-26"]);
        assert_eq!(d("Date:9/3/201820:54:50"), ["2018-03-09"]);
        assert!(d("HD03-04-06 - 5/40/160 12/05/1850").is_empty());
        assert_eq!(compact_date("Date 20180304").map(|d| d.date.to_string()).as_deref(), Some("2018-03-04"));
        assert_eq!(compact_date("KvK 12345678 201803041"), None);
    }

    #[test]
    fn times_in_24_hours() {
        assert_eq!(time("-09:06PM 569547"), Some((21, 6)));
        assert_eq!(time("Tijd 21:06:33"), Some((21, 6)));
        assert_eq!(time("12:30 AM"), Some((0, 30)));
        assert_eq!(time("Totaal 9.06"), None);
        assert_eq!(time("9.06 pm"), Some((21, 6)));
        assert_eq!(time("25:00 12:75"), None);
    }
}
