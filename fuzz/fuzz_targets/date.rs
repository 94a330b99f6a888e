//! Dates as people type them (`--on`, `--since`, prompts), against any today.
//!
//! Input: the typed text, then optionally a NUL and up to four bytes that pick today
//! anywhere in chrono's range (without them, today is the fixed fuzzing day).
#![no_main]

use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use tend_core::date;

fuzz_target!(|data: &[u8]| {
    let (typed, today) = match data.iter().position(|b| *b == 0) {
        Some(nul) => (&data[..nul], pick_today(&data[nul + 1..])),
        None => (data, tend_fuzz::today()),
    };
    let Ok(typed) = std::str::from_utf8(typed) else {
        return;
    };
    if let Ok(day) = date::parse(typed, today)
        && (1..=9999).contains(&day.year())
    {
        // A four-digit ISO date reads back as itself, whatever today is.
        assert_eq!(date::parse(&day.to_string(), today), Ok(day));
    }
});

fn pick_today(bytes: &[u8]) -> NaiveDate {
    let mut word = [0u8; 4];
    for (w, b) in word.iter_mut().zip(bytes) {
        *w = *b;
    }
    let first = NaiveDate::MIN.num_days_from_ce();
    let span = NaiveDate::MAX.num_days_from_ce() - first + 1;
    let offset = i32::from_le_bytes(word).rem_euclid(span);
    NaiveDate::from_num_days_from_ce_opt(first + offset).unwrap_or(NaiveDate::MIN)
}
