//! Time: the world's virtual clock, and the only place in the crate that reads the system clock.
//!
//! Every rule that depends on time ("UNKNOWN for 24 hours", "a verification is valid 14 days",
//! "10 registrations per 72 hours") reads a [`Clock`], never the system clock, so a test can
//! move time from outside the process. The two exceptions also live here, so that a grep for
//! `SystemTime`/`Instant` finds one file: the wall clock that Alibaba signatures are checked
//! against (the SDK signs with real time whatever year a fixture starts in), and the
//! stopwatch that measures how long a request took for the journal.

use std::cell::Cell;
use std::fmt;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// An instant on a world's clock: milliseconds since the Unix epoch, UTC.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Timestamp(pub i64);

/// A span of time in milliseconds (may be negative when it is an offset into the past).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Duration(pub i64);

impl Duration {
    pub const fn seconds(s: i64) -> Self {
        Duration(s * 1000)
    }
    pub const fn minutes(m: i64) -> Self {
        Duration(m * 60_000)
    }
    pub const fn hours(h: i64) -> Self {
        Duration(h * 3_600_000)
    }
    pub const fn days(d: i64) -> Self {
        Duration(d * 86_400_000)
    }
    pub fn as_millis(self) -> i64 {
        self.0
    }
    pub fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses a human duration such as `90s`, `24h`, `2h 30m`, `14d`, with an optional sign
    /// (`+2h`, `-1d`). Used by fixtures, scenarios and `/__admin/clock`.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        let (sign, rest) = match t.strip_prefix('-') {
            Some(r) => (-1, r),
            None => (1, t.strip_prefix('+').unwrap_or(t)),
        };
        if rest.is_empty() {
            return Err(format!("empty duration {text:?}"));
        }
        let d = humantime::parse_duration(rest.trim()).map_err(|e| {
            format!("invalid duration {text:?}: {e} (examples: 90s, 24h, 2h30m, 14d)")
        })?;
        let ms =
            i64::try_from(d.as_millis()).map_err(|_| format!("duration {text:?} is too large"))?;
        Ok(Duration(sign * ms))
    }
}

impl std::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.0))
    }
}

impl std::ops::Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(d.0))
    }
}

impl std::ops::Sub<Timestamp> for Timestamp {
    type Output = Duration;
    fn sub(self, other: Timestamp) -> Duration {
        Duration(self.0.saturating_sub(other.0))
    }
}

impl Timestamp {
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub fn from_unix_seconds(s: i64) -> Self {
        Timestamp(s.saturating_mul(1000))
    }

    /// `2026-01-01T00:00:00Z`: the form fixtures, scenarios and the control API use.
    pub fn rfc3339(self) -> String {
        self.civil_text("Z")
    }

    /// `2026-01-01T00:00:00+0000`: the form Graph uses for time fields.
    pub fn graph(self) -> String {
        self.civil_text("+0000")
    }

    /// `YYYY-MM-DDThh:mm:ss` and `zone`. Written digit by digit: `format!` with six padded
    /// numbers cost about 3,000 instructions, a tenth of a whole `GET /__admin/codes`.
    fn civil_text(self, zone: &str) -> String {
        let c = Civil::from_timestamp(self);
        if !(0..=9999).contains(&c.year) {
            return format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
        }
        let year = c.year as u32;
        let mut text = String::with_capacity(19 + zone.len());
        let parts = [
            (year / 100, ""),
            (year % 100, "-"),
            (c.month, "-"),
            (c.day, "T"),
            (c.hour, ":"),
            (c.minute, ":"),
            (c.second, zone),
        ];
        for (two_digits, after) in parts {
            text.push(char::from(b'0' + (two_digits / 10) as u8));
            text.push(char::from(b'0' + (two_digits % 10) as u8));
            text.push_str(after);
        }
        text
    }

    /// `Wednesday, 14-Jun-23 06:00:00 PDT`: the form of Graph's expired-token message
    /// (reference meta-graph.md §6.2, code 190 subcode 463). Meta prints Pacific time.
    pub fn pacific(self) -> String {
        let utc = Civil::from_timestamp(self);
        let dst = pacific_dst(utc.year, self);
        let (offset_h, zone) = if dst { (-7, "PDT") } else { (-8, "PST") };
        let local = Civil::from_timestamp(self + Duration::hours(offset_h));
        format!(
            "{}, {:02}-{}-{:02} {:02}:{:02}:{:02} {}",
            WEEKDAYS[local.weekday as usize],
            local.day,
            MONTHS[(local.month - 1) as usize],
            local.year.rem_euclid(100),
            local.hour,
            local.minute,
            local.second,
            zone
        )
    }

    /// Parses RFC 3339 (`2026-01-01T00:00:00Z`, `2026-01-01T02:00:00+02:00`, fractional
    /// seconds allowed) or a bare date (`2026-01-01`, midnight UTC).
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        let bad =
            || format!("invalid timestamp {text:?} (expected RFC 3339, e.g. 2026-01-01T00:00:00Z)");
        let t = text.trim();
        // Everything below slices by byte offset: only ASCII text can be sliced safely, and a
        // timestamp is ASCII anyway.
        if !t.is_ascii() {
            return Err(bad());
        }
        let b = t.as_bytes();
        let num = |s: &str| -> Result<i64, String> {
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<i64>().map_err(|_| bad())
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let year = num(&t[0..4])?;
        let month = num(&t[5..7])?;
        let day = num(&t[8..10])?;
        if !(1900..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month as u32)
        {
            return Err(bad());
        }
        let days = days_from_civil(year, month as u32, day as u32);
        if b.len() == 10 {
            return Ok(Timestamp(days * 86_400_000));
        }
        if b.len() < 19
            || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad());
        }
        let hour = num(&t[11..13])?;
        let minute = num(&t[14..16])?;
        let second = num(&t[17..19])?;
        if hour > 23 || minute > 59 || second > 60 {
            return Err(bad());
        }
        let mut rest = &t[19..];
        let mut millis = 0i64;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits: String = frac.chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.is_empty() {
                return Err(bad());
            }
            let ms_digits: String = digits.chars().chain("000".chars()).take(3).collect();
            millis = num(&ms_digits)?;
            rest = &frac[digits.len()..];
        }
        let offset_secs = match rest {
            "Z" | "z" | "" => 0,
            _ => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return Err(bad()),
                };
                let hm = rest[1..].replace(':', "");
                if hm.len() != 4 {
                    return Err(bad());
                }
                let (oh, om) = (num(&hm[0..2])?, num(&hm[2..4])?);
                if oh > 23 || om > 59 {
                    return Err(bad());
                }
                sign * (oh * 3600 + om * 60)
            }
        };
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
        Ok(Timestamp(secs * 1000 + millis))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

const WEEKDAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC calendar breakdown of a timestamp.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Thursday (1970-01-01 was a Thursday), matching `WEEKDAYS`.
    weekday: u32,
}

impl Civil {
    fn from_timestamp(t: Timestamp) -> Civil {
        let secs = t.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: (sod / 60) % 60,
            second: sod % 60,
            weekday: days.rem_euclid(7) as u32,
        }
    }
}

fn days_in_month(year: i64, month: u32) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// US Pacific daylight time: from the second Sunday of March 10:00 UTC to the first Sunday
/// of November 09:00 UTC.
fn pacific_dst(year: i64, t: Timestamp) -> bool {
    let nth_sunday = |month: u32, n: i64| -> i64 {
        let first = days_from_civil(year, month, 1);
        // 1970-01-01 was a Thursday; Sunday is 3 days after Thursday.
        let offset = (3 - first.rem_euclid(7)).rem_euclid(7);
        first + offset + 7 * (n - 1)
    };
    let start = Timestamp((nth_sunday(3, 2) * 86_400 + 10 * 3600) * 1000);
    let end = Timestamp((nth_sunday(11, 1) * 86_400 + 9 * 3600) * 1000);
    t >= start && t < end
}

/// The most a clock moves in one [`Clock::advance`]: 100 years. Past it the world's time
/// would leave the range of dates it can show.
pub const MAX_ADVANCE: Duration = Duration::days(36_525);

/// Why [`Clock::advance`] refused a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdvanceError {
    /// The span was negative.
    Backward,
    /// The span was over [`MAX_ADVANCE`].
    TooFar,
}

impl fmt::Display for AdvanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdvanceError::Backward => f.write_str("the clock only moves forward here"),
            AdvanceError::TooFar => {
                f.write_str("the clock moves at most 100 years (36525 days) at a time")
            }
        }
    }
}

impl std::error::Error for AdvanceError {}

/// A world's virtual clock. It follows real time from a start instant, and can be frozen,
/// set and advanced; all of a world's time-dependent rules read it.
///
/// Saved (`serve --state`) as the time it shows and whether it is frozen: a running clock
/// goes on from the saved time when loaded, so the time the server was down does not count.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(into = "SavedClock", from = "SavedClock")]
pub struct Clock {
    /// The virtual time at `anchor`.
    base: Timestamp,
    /// The real instant `base` corresponds to; `None` while frozen.
    anchor: Option<Instant>,
}

impl Clock {
    /// A clock that starts at `start` and follows real time from now on.
    pub fn running_from(start: Timestamp) -> Self {
        Clock {
            base: start,
            anchor: Some(Instant::now()),
        }
    }

    /// A clock that stands still at `at` until advanced or unfrozen.
    pub fn frozen_at(at: Timestamp) -> Self {
        Clock {
            base: at,
            anchor: None,
        }
    }

    /// A clock that starts at the current wall-clock time.
    pub fn real() -> Self {
        Clock::running_from(wall_now())
    }

    /// The clock's time: at the instant this thread's request is pinned to
    /// ([`Stopwatch::pin`]), else at the system's current instant.
    pub fn now(&self) -> Timestamp {
        match self.anchor {
            Some(anchor) => {
                let now = PINNED.with(Cell::get).unwrap_or_else(Instant::now);
                // Saturating: a clock set or unfrozen during a pinned request is anchored
                // after the pinned instant, and reads as its new time.
                let elapsed = now.saturating_duration_since(anchor).as_millis() as i64;
                self.base + Duration(elapsed)
            }
            None => self.base,
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.anchor.is_none()
    }

    /// Moves the clock forward by `by`, without changing whether it runs: the one place a
    /// world's time is advanced, whoever asks (`POST /__admin/clock/advance`, the embedding
    /// API's `Clock::advance`). A span over [`MAX_ADVANCE`] or below zero is refused and the
    /// clock is left as it was; [`Clock::set`] goes back, or far.
    pub fn advance(&mut self, by: Duration) -> Result<Timestamp, AdvanceError> {
        if by < Duration(0) {
            return Err(AdvanceError::Backward);
        }
        if by > MAX_ADVANCE {
            return Err(AdvanceError::TooFar);
        }
        self.base = self.base + by;
        Ok(self.now())
    }

    /// Jumps to `to`, keeping whether it runs.
    pub fn set(&mut self, to: Timestamp) {
        self.base = to;
        if self.anchor.is_some() {
            self.anchor = Some(Instant::now());
        }
    }

    pub fn freeze(&mut self) {
        self.base = self.now();
        self.anchor = None;
    }

    pub fn unfreeze(&mut self) {
        if self.anchor.is_none() {
            self.anchor = Some(Instant::now());
        }
    }
}

/// A clock as a `--state` file keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedClock {
    now: Timestamp,
    frozen: bool,
}

impl From<Clock> for SavedClock {
    fn from(clock: Clock) -> Self {
        SavedClock {
            now: clock.now(),
            frozen: clock.is_frozen(),
        }
    }
}

impl From<SavedClock> for Clock {
    fn from(saved: SavedClock) -> Self {
        if saved.frozen {
            Clock::frozen_at(saved.now)
        } else {
            Clock::running_from(saved.now)
        }
    }
}

/// The real wall-clock time. Only for checks against real-world time that a fixture's
/// virtual clock must not affect (Alibaba's signed `x-acs-date`), and for starting clocks.
pub fn wall_now() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(d.as_millis() as i64)
}

/// The instant the process first asked for its uptime.
fn process_start() -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Milliseconds since the process first asked (a monotonic clock for idle times).
pub fn uptime_ms() -> u64 {
    since_start_ms(Instant::now())
}

fn since_start_ms(at: Instant) -> u64 {
    at.saturating_duration_since(process_start()).as_millis() as u64
}

/// Measures how long a request took, for the journal.
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch(Instant);

impl Stopwatch {
    pub fn start() -> Self {
        Stopwatch(Instant::now())
    }
    pub fn elapsed_micros(&self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }

    /// [`uptime_ms`] at the instant the stopwatch started: a request marks its namespace used
    /// at its arrival without reading the system clock again.
    pub fn uptime_ms(&self) -> u64 {
        since_start_ms(self.0)
    }

    /// Until the guard is dropped, every world clock this thread reads stands at the instant
    /// the stopwatch started: a request's rules, its journal entry and its answer read the
    /// system clock once between them (they read it five times a read request before), and
    /// the times one answer shows agree. The guard is not `Send`, so a request future cannot
    /// hold it across an `.await` (it would pin another request's thread).
    pub fn pin(&self) -> Pinned {
        Pinned {
            before: PINNED.with(|p| p.replace(Some(self.0))),
            _thread: std::marker::PhantomData,
        }
    }
}

thread_local! {
    /// The instant a request handled on this thread reads as now ([`Stopwatch::pin`]).
    static PINNED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// This thread's world clocks pinned to one instant while it lives ([`Stopwatch::pin`]); the
/// pin before it comes back when it is dropped, also when a panic unwinds through it.
pub struct Pinned {
    before: Option<Instant>,
    _thread: std::marker::PhantomData<*const ()>,
}

impl Drop for Pinned {
    fn drop(&mut self) {
        PINNED.with(|p| p.set(self.before));
    }
}

/// A real-time deadline for waits in the control API (`?wait=5s`): these wait for real
/// events (a webhook delivery), not for the virtual clock.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(ms: u64) -> Self {
        Deadline(Instant::now() + std::time::Duration::from_millis(ms))
    }
    pub fn remaining(&self) -> std::time::Duration {
        self.0.saturating_duration_since(Instant::now())
    }
    pub fn passed(&self) -> bool {
        Instant::now() >= self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_format_writes_them() {
        let day = 86_400_000;
        let mut at = [
            Timestamp(0),
            Timestamp(1_767_225_599_999),
            Timestamp(-day),
            Timestamp(-62_167_219_200_000), // 0000-01-01
            Timestamp(-62_167_219_200_001), // a year before it: format's own form
            Timestamp(253_402_300_800_000), // 10000-01-01
        ]
        .to_vec();
        at.extend((0..2_000).map(|i| Timestamp(i * 7_919_993_047 + 12_345)));
        for t in at {
            let c = Civil::from_timestamp(t);
            let fields = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                c.year, c.month, c.day, c.hour, c.minute, c.second
            );
            assert_eq!(t.rfc3339(), format!("{fields}Z"), "{t:?}");
            assert_eq!(t.graph(), format!("{fields}+0000"), "{t:?}");
        }
    }

    #[test]
    fn a_pinned_thread_reads_one_instant_until_the_pin_is_dropped() {
        let clock = Clock::running_from(Timestamp(1_000));
        let watch = Stopwatch(Instant::now() + std::time::Duration::from_secs(3600));
        {
            let _pin = watch.pin();
            assert_eq!(clock.now(), Timestamp(1_000 + 3_600_000));
            // Nested pins restore the outer one.
            {
                let _inner = Stopwatch(Instant::now()).pin();
                assert!(clock.now() < Timestamp(1_000 + 3_600_000));
            }
            assert_eq!(clock.now(), Timestamp(1_000 + 3_600_000));
            // A clock anchored after the pinned instant reads as its base, not earlier.
            let later = Clock::running_from(Timestamp(5));
            let _early = Stopwatch(Instant::now() - std::time::Duration::from_secs(1)).pin();
            assert_eq!(later.now(), Timestamp(5));
        }
        assert!(
            clock.now() < Timestamp(1_000 + 60_000),
            "unpinned: real time again"
        );
        // Other threads never see this thread's pin.
        let _pin = watch.pin();
        let elsewhere = std::thread::scope(|s| s.spawn(|| clock.now()).join().unwrap());
        assert!(elsewhere < Timestamp(1_000 + 60_000));
    }

    #[test]
    fn rfc3339_round_trips() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2100-12-31T12:34:56Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s).unwrap().rfc3339(), s);
        }
        let t = Timestamp::parse_rfc3339("2026-01-01T02:00:00+02:00").unwrap();
        assert_eq!(t.rfc3339(), "2026-01-01T00:00:00Z");
        let t = Timestamp::parse_rfc3339("2026-01-01T00:00:00.250Z").unwrap();
        assert_eq!(t.0 % 1000, 250);
        assert!(Timestamp::parse_rfc3339("2026-13-01T00:00:00Z").is_err());
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
        assert!(Timestamp::parse_rfc3339("2026-01-01T00:00:00+2").is_err());
        assert!(Timestamp::parse_rfc3339("2026-02-30T00:00:00Z").is_err());
        assert!(Timestamp::parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
        assert!(Timestamp::parse_rfc3339("2026-01-01T00:00:00+99:99").is_err());
        assert!(Timestamp::parse_rfc3339("-001-01-01T00:00:00Z").is_err());
        assert!(Timestamp::parse_rfc3339("2026-01-01T00:00:0\u{e9}").is_err());
        assert_eq!(
            Timestamp::parse_rfc3339("2026-01-02").unwrap().rfc3339(),
            "2026-01-02T00:00:00Z"
        );
    }

    /// Any text, however odd, is an error or a timestamp, never a panic (review finding: a
    /// multi-byte character at a slicing offset panicked).
    #[test]
    fn no_text_panics() {
        let pieces = [
            "2026", "-", "01", "T", "Z", "+", ":", "é", "✓", "00", ".", " ", "\u{0}", "9999", "-0",
            "x",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let _ = Timestamp::parse_rfc3339(&text);
            let _ = Duration::parse(&text);
            state = state.wrapping_add(0x9e37_79b9);
        }
        for prefix in [
            "2026-01-01T00:00:0",
            "2026-01-01T00:00:00.",
            "2026-01-0",
            "2026-01-01T00:00:00+0",
        ] {
            for c in ['é', '✓', '日', '\u{10348}'] {
                let _ = Timestamp::parse_rfc3339(&format!("{prefix}{c}"));
            }
        }
    }

    #[test]
    fn graph_and_pacific_formats() {
        let t = Timestamp::parse_rfc3339("2023-06-14T13:00:00Z").unwrap();
        assert_eq!(t.graph(), "2023-06-14T13:00:00+0000");
        assert_eq!(t.pacific(), "Wednesday, 14-Jun-23 06:00:00 PDT");
        let w = Timestamp::parse_rfc3339("2026-01-01T08:00:00Z").unwrap();
        assert_eq!(w.pacific(), "Thursday, 01-Jan-26 00:00:00 PST");
    }

    #[test]
    fn durations_parse_with_sign() {
        assert_eq!(Duration::parse("24h").unwrap(), Duration::hours(24));
        assert_eq!(Duration::parse("+2h").unwrap(), Duration::hours(2));
        assert_eq!(Duration::parse("-1d").unwrap(), Duration::days(-1));
        assert_eq!(Duration::parse("2h 30m").unwrap(), Duration::minutes(150));
        assert_eq!(Duration::parse("14d").unwrap(), Duration::days(14));
        assert!(Duration::parse("soon").is_err());
        assert!(Duration::parse("").is_err());
    }

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let mut c = Clock::frozen_at(start);
        assert_eq!(c.now(), start);
        assert_eq!(
            c.advance(Duration::hours(24)),
            Ok(start + Duration::hours(24))
        );
        assert_eq!(c.now(), start + Duration::hours(24));
        c.set(start);
        assert_eq!(c.now(), start);
        c.unfreeze();
        assert!(c.now() >= start);
        c.freeze();
        let t = c.now();
        assert_eq!(c.now(), t);
    }

    #[test]
    fn advance_moves_at_most_max_advance_and_never_back() {
        let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let mut c = Clock::frozen_at(start);
        assert_eq!(
            c.advance(Duration(MAX_ADVANCE.0 + 1)),
            Err(AdvanceError::TooFar)
        );
        assert_eq!(c.advance(Duration(-1)), Err(AdvanceError::Backward));
        assert_eq!(c.now(), start, "a refused span leaves the clock as it was");
        assert_eq!(c.advance(MAX_ADVANCE), Ok(start + MAX_ADVANCE));
        assert_eq!(c.advance(Duration(0)), Ok(start + MAX_ADVANCE));
        assert!(AdvanceError::TooFar.to_string().contains("100 years"));
    }
}
