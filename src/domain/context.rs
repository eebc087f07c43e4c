//! What a service needs besides the database and the actor: the site's address (links in
//! notifications and mails) and the clock, so that tests can stand on a term boundary or
//! at the end of a year.
use chrono::{DateTime, NaiveDate, Utc};

/// The site's address and the clock a service runs with.
#[derive(Debug, Clone)]
pub struct Context {
    /// The public base URL, without a trailing slash.
    pub base_url: String,
    clock: Clock,
}

#[derive(Debug, Clone, Copy)]
enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Context {
    /// The real clock.
    pub fn new(base_url: impl Into<String>) -> Self {
        Context {
            base_url: base_url.into(),
            clock: Clock::System,
        }
    }

    /// A clock stopped at `now` (tests, the demo's back-dated history).
    pub fn at(base_url: impl Into<String>, now: DateTime<Utc>) -> Self {
        Context {
            base_url: base_url.into(),
            clock: Clock::Fixed(now),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.clock {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }

    /// The local date (the bureau's time zone).
    pub fn today(&self) -> NaiveDate {
        crate::domain::types::local_date(self.now())
    }
}
