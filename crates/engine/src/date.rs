//! Calendar dates, as printed on receipts and given in claims.

/// A calendar date (proleptic Gregorian), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1 … 12.
    pub month: u8,
    /// Day of the month, 1 … 31.
    pub day: u8,
}

impl Date {
    /// The date, or `None` when no such day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Reads `YYYY-MM-DD` (four-digit year); `None` for another form or no such day.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            s.get(r).filter(|t| t.bytes().all(|c| c.is_ascii_digit())).and_then(|t| t.parse::<u16>().ok())
        };
        let month = u8::try_from(num(5..7)?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        Date::new(i32::from(num(0..4)?), month, day)
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 ([`Date::days`] back).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Day of the week, 1 (Monday) … 7 (Sunday).
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((self.days() + 3).rem_euclid(7) + 1) as u8
    }
}

/// In JSON a date is its ISO 8601 text, `2018-03-19`.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_weekdays() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(d(1970, 1, 1).days(), 0);
        assert_eq!(d(2000, 3, 1).days() - d(2000, 2, 28).days(), 2);
        assert_eq!(d(1969, 12, 31).days(), -1);
        // 5 March 2024 was a Tuesday, 1 January 2023 a Sunday.
        assert_eq!((d(2024, 3, 5).weekday(), d(2023, 1, 1).weekday()), (2, 7));
        for date in [d(2021, 1, 1), d(2024, 2, 29), d(2026, 12, 31), d(1970, 1, 1), d(1900, 3, 1)] {
            assert_eq!(Date::from_days(date.days()), date);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert_eq!(Date::new(2019, 1, 5).unwrap().to_string(), "2019-01-05");
        assert_eq!(Date::parse_iso("2019-01-05"), Date::new(2019, 1, 5));
        for bad in ["2023-02-29", "2019-1-05", "2019/01/05", "20a9-01-05", "2019-01-05T", "２019-01-05"] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
    }
}
