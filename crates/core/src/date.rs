//! Dates the way people type them.
//!
//! A reflection is about a day, not an instant, so tend works in calendar dates. The caller
//! supplies "today" (in local time), which keeps this module free of clocks and easy to test.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A date that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tend could not read {input:?} as a date")]
pub struct DateError {
    /// What was typed.
    pub input: String,
}

impl DateError {
    /// The forms tend understands, for a hint line.
    pub const HINT: &'static str = "use a date like 2026-03-14, or words like today, yesterday, \
                                    \"3 days ago\", monday, \"last friday\", \"next friday\" or \"in 2 weeks\"";
}

/// Reads `input` as a calendar date, relative to `today` where it is a word.
///
/// Accepts ISO dates (`2026-03-14`, also with `/`), `today`, `yesterday`, `tomorrow`,
/// `N days|weeks|months|years ago` (also `a week ago`), weekday names (the most recent such
/// day, today included), `last WEEKDAY` (the one before that when it is today), and for
/// dates ahead (a commitment's due date): `next WEEKDAY` and `in N days|weeks|months`.
pub fn parse(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let err = || DateError {
        input: input.to_owned(),
    };
    let lowered = input.trim().to_lowercase();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    match words.as_slice() {
        [] => Err(err()),
        ["today"] | ["now"] => Ok(today),
        ["yesterday"] => today.checked_sub_days(Days::new(1)).ok_or_else(err),
        ["tomorrow"] => today.checked_add_days(Days::new(1)).ok_or_else(err),
        [n, unit, "ago"] => {
            let n: u32 = match *n {
                "a" | "an" | "one" => 1,
                other => other.parse().map_err(|_| err())?,
            };
            let unit = unit.strip_suffix('s').unwrap_or(unit);
            match unit {
                "day" => today.checked_sub_days(Days::new(n.into())),
                "week" => today.checked_sub_days(Days::new(u64::from(n) * 7)),
                "month" => today.checked_sub_months(Months::new(n)),
                "year" => n
                    .checked_mul(12)
                    .and_then(|m| today.checked_sub_months(Months::new(m))),
                _ => None,
            }
            .ok_or_else(err)
        }
        [day] if weekday(day).is_some() => {
            let wanted = weekday(day).ok_or_else(err)?;
            Ok(most_recent(today, wanted, false))
        }
        ["last", day] if weekday(day).is_some() => {
            let wanted = weekday(day).ok_or_else(err)?;
            Ok(most_recent(today, wanted, true))
        }
        ["next", day] if weekday(day).is_some() => {
            let wanted = weekday(day).ok_or_else(err)?;
            let ahead =
                (7 + wanted.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            let ahead = if ahead == 0 { 7 } else { ahead };
            today
                .checked_add_days(Days::new(ahead.into()))
                .ok_or_else(err)
        }
        ["in", n, unit] => {
            let n: u32 = match *n {
                "a" | "an" | "one" => 1,
                other => other.parse().map_err(|_| err())?,
            };
            let unit = unit.strip_suffix('s').unwrap_or(unit);
            match unit {
                "day" => today.checked_add_days(Days::new(n.into())),
                "week" => today.checked_add_days(Days::new(u64::from(n) * 7)),
                "month" => today.checked_add_months(Months::new(n)),
                _ => None,
            }
            .ok_or_else(err)
        }
        [single] => iso(single).ok_or_else(err),
        _ => Err(err()),
    }
}

fn iso(s: &str) -> Option<NaiveDate> {
    let normalised = s.replace('/', "-");
    NaiveDate::parse_from_str(&normalised, "%Y-%m-%d").ok()
}

fn weekday(word: &str) -> Option<Weekday> {
    let day = match word {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

fn most_recent(today: NaiveDate, wanted: Weekday, strictly_before: bool) -> NaiveDate {
    let back = (7 + today.weekday().num_days_from_monday() - wanted.num_days_from_monday()) % 7;
    let back = if back == 0 && strictly_before {
        7
    } else {
        back
    };
    today
        .checked_sub_days(Days::new(back.into()))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    // 2026-11-20 is a Friday.
    const TODAY: (i32, u32, u32) = (2026, 11, 20);

    fn p(s: &str) -> Result<NaiveDate, DateError> {
        parse(s, d(TODAY.0, TODAY.1, TODAY.2))
    }

    #[test]
    fn words_people_type() {
        assert_eq!(p("today"), Ok(d(2026, 11, 20)));
        assert_eq!(p(" Yesterday "), Ok(d(2026, 11, 19)));
        assert_eq!(p("3 days ago"), Ok(d(2026, 11, 17)));
        assert_eq!(p("a week ago"), Ok(d(2026, 11, 13)));
        assert_eq!(p("2 weeks ago"), Ok(d(2026, 11, 6)));
        assert_eq!(p("1 month ago"), Ok(d(2026, 10, 20)));
        assert_eq!(p("1 year ago"), Ok(d(2025, 11, 20)));
        assert_eq!(p("friday"), Ok(d(2026, 11, 20)));
        assert_eq!(p("last friday"), Ok(d(2026, 11, 13)));
        assert_eq!(p("monday"), Ok(d(2026, 11, 16)));
        assert_eq!(p("Sat"), Ok(d(2026, 11, 14)));
        assert_eq!(p("next friday"), Ok(d(2026, 11, 27)));
        assert_eq!(p("next monday"), Ok(d(2026, 11, 23)));
        assert_eq!(p("in 3 days"), Ok(d(2026, 11, 23)));
        assert_eq!(p("in a week"), Ok(d(2026, 11, 27)));
        assert_eq!(p("in 2 months"), Ok(d(2027, 1, 20)));
    }

    #[test]
    fn iso_dates() {
        assert_eq!(p("2024-02-29"), Ok(d(2024, 2, 29)));
        assert_eq!(p("2024/02/29"), Ok(d(2024, 2, 29)));
        assert!(p("2023-02-29").is_err());
        assert!(p("soon").is_err());
        assert!(p("").is_err());
        assert!(p("99999999999 days ago").is_err());
        assert!(p("4294967295 years ago").is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = p(&s);
        }

        #[test]
        fn iso_round_trip(days in 0i64..200_000) {
            let date = d(1, 1, 1) + chrono::Duration::days(days);
            proptest::prop_assert_eq!(p(&date.to_string()), Ok(date));
        }
    }
}
