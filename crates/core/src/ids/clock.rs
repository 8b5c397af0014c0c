//! Wall-clock times as the lab shows them: Unix milliseconds as a date and time in Beijing
//! (UTC+8, no daylight saving), the time zone of the lessons and of their audience.

use alloc::format;
use alloc::string::String;

/// Beijing time's offset from UTC, in milliseconds.
pub const BEIJING_OFFSET_MS: u64 = 8 * 3_600_000;

/// A date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub ms: u32,
}

/// `unix_ms` in Beijing time. The date comes from the days since 1970-01-01 by Howard Hinnant's
/// `civil_from_days` (http://howardhinnant.github.io/date_algorithms.html), exact for every day
/// a `u64` of milliseconds can reach.
pub fn beijing(unix_ms: u64) -> Civil {
    let local = unix_ms.saturating_add(BEIJING_OFFSET_MS);
    let days = (local / 86_400_000) as i64;
    let in_day = local % 86_400_000;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1_000 % 60) as u32,
        ms: (in_day % 1_000) as u32,
    }
}

/// "09:00:00.005".
pub fn time_text(unix_ms: u64) -> String {
    let c = beijing(unix_ms);
    format!("{:02}:{:02}:{:02}.{:03}", c.hour, c.minute, c.second, c.ms)
}

/// "2026-11-28 09:00:00.005".
pub fn datetime_text(unix_ms: u64) -> String {
    let c = beijing(unix_ms);
    format!(
        "{:04}-{:02}-{:02} {}",
        c.year,
        c.month,
        c.day,
        time_text(unix_ms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_in_beijing_time() {
        assert_eq!(datetime_text(0), "1970-01-01 08:00:00.000");
        // The lab's start.
        assert_eq!(datetime_text(1_795_827_600_005), "2026-11-28 09:00:00.005");
        // Twitter's epoch, 2010-11-04 01:42:54.657 UTC.
        assert_eq!(datetime_text(1_288_834_974_657), "2010-11-04 09:42:54.657");
        // A leap day, and the last millisecond of a year.
        assert_eq!(datetime_text(951_753_600_000), "2000-02-29 00:00:00.000");
        assert_eq!(datetime_text(1_798_732_799_999), "2026-12-31 23:59:59.999");
        // No input panics.
        assert!(beijing(u64::MAX).year > 584_000_000);
    }
}
