//! Corpus analytics derived at insert time, in log order: stories (articles
//! about the same event, across outlets and days) and syndicated copies
//! (near-identical wire text carried by several outlets).
//!
//! Everything here is a pure function of the articles seen so far, in the
//! order they were stored: every replica and every replay of a journal or a
//! PostgreSQL log derives the same story ids and copy links. Nothing compares
//! an article with every other one: candidates come from inverted indexes
//! (distinctive features → stories, MinHash bands → articles), so the cost per
//! article stays flat as the corpus grows.

pub mod copies;
pub mod features;
pub mod stories;

pub use copies::CopyDetector;
pub use stories::{StoryClusterer, StoryInput};

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` if it is not one.
pub fn day_number(date: &str) -> Option<i32> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = date.get(0..4)?.parse().ok()?;
    let m: u32 = date.get(5..7)?.parse().ok()?;
    let d: u32 = date.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe as i32 - 719_468)
}

/// The `YYYY-MM-DD` date of a day number (the inverse of [`day_number`]).
pub fn date_of_day(day: i32) -> String {
    let z = day + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2022-04-27"), Some(19_109));
        for date in [
            "1999-12-31",
            "2000-02-29",
            "2024-03-01",
            "1900-01-01",
            "2038-01-19",
        ] {
            assert_eq!(date_of_day(day_number(date).unwrap()), date);
        }
        assert_eq!(day_number("2022-13-01"), None);
        assert_eq!(day_number("soon"), None);
    }
}
