//! Sign-in and reset-link throttling, counted in the database so that every instance sharing
//! it sees the same counts (SPEC.md scale-out).
//!
//! Only failed sign-ins count; a successful one never does, and it clears the failures of its
//! own account and address. The rules:
//! - per account and address, tightly: `burst` failures in 15 minutes, then that address
//!   waits for the window to slide;
//! - per account, loosely and without a lock-out: past `3 × burst` failures in an hour from
//!   anywhere, an address that has itself failed on the account waits a delay that doubles
//!   with every further failure (2 s, 4 s … at most 15 minutes). An address with no failure
//!   on the account is not delayed, so the real user signs in from their own network while
//!   an attack on the account runs elsewhere;
//! - per address, loosely: `60 × burst` failures in 15 minutes on any accounts (a school's
//!   teachers all signing in through one address at a 教研 meeting stay well within it).
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entities::throttle_events as events;
use crate::error::AppResult;

const SIGN_IN: &str = "sign_in";
const RESET: &str = "reset";
/// An e-mail address is at most this long (RFC 5321); a longer typed value is cut before
/// it becomes a key.
pub const MAX_KEY_CHARS: usize = 254;
const WINDOW_MINUTES: i64 = 15;
const ACCOUNT_WINDOW_MINUTES: i64 = 60;
const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Reset-link requests: per address and per e-mail address, in an hour.
const RESETS_PER_ADDRESS: u64 = 20;
const RESETS_PER_EMAIL: u64 = 3;

/// The account key of a typed e-mail: trimmed, lower case, at most `MAX_KEY_CHARS`.
pub fn account_key(email: &str) -> String {
    email
        .trim()
        .chars()
        .take(MAX_KEY_CHARS)
        .collect::<String>()
        .to_lowercase()
}

fn address_key(address: &str) -> String {
    address.chars().take(64).collect()
}

/// Whether a sign-in may be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Try again after this many seconds.
    Wait(i64),
}

/// Sign-in throttling with `burst` failures allowed per account and address.
#[derive(Debug, Clone, Copy)]
pub struct SignInThrottle {
    pub burst: u64,
}

impl SignInThrottle {
    pub fn new(burst: u32) -> Self {
        SignInThrottle {
            burst: u64::from(burst.max(1)),
        }
    }

    fn account_free(&self) -> u64 {
        self.burst * 3
    }

    fn per_address(&self) -> u64 {
        self.burst * 60
    }

    /// Whether `email` may be tried from `address` at `now`.
    pub async fn check(
        &self,
        conn: &impl ConnectionTrait,
        email: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Verdict> {
        let account = account_key(email);
        let address = address_key(address);
        let window = now - Duration::minutes(WINDOW_MINUTES);
        let pair: Vec<DateTime<Utc>> = events::Entity::find()
            .select_only()
            .column(events::Column::HappenedAt)
            .filter(events::Column::Kind.eq(SIGN_IN))
            .filter(events::Column::AccountKey.eq(account.as_str()))
            .filter(events::Column::Address.eq(address.as_str()))
            .filter(events::Column::HappenedAt.gt(now - Duration::minutes(ACCOUNT_WINDOW_MINUTES)))
            .order_by_asc(events::Column::HappenedAt)
            .into_tuple()
            .all(conn)
            .await?;
        let recent: Vec<&DateTime<Utc>> = pair.iter().filter(|t| **t > window).collect();
        if recent.len() as u64 >= self.burst {
            // Free again when the oldest failure in the window leaves it.
            let oldest = recent[recent.len() - self.burst as usize];
            return Ok(Verdict::Wait(seconds_until(
                *oldest + Duration::minutes(WINDOW_MINUTES),
                now,
            )));
        }
        let from_address = events::Entity::find()
            .filter(events::Column::Kind.eq(SIGN_IN))
            .filter(events::Column::Address.eq(address.as_str()))
            .filter(events::Column::HappenedAt.gt(window))
            .count(conn)
            .await?;
        if from_address >= self.per_address() {
            return Ok(Verdict::Wait(WINDOW_MINUTES * 60));
        }
        // The account's growing delay applies to addresses that failed on it themselves.
        if let Some(last) = pair.last() {
            let on_account = events::Entity::find()
                .filter(events::Column::Kind.eq(SIGN_IN))
                .filter(events::Column::AccountKey.eq(account.as_str()))
                .filter(
                    events::Column::HappenedAt.gt(now - Duration::minutes(ACCOUNT_WINDOW_MINUTES)),
                )
                .count(conn)
                .await?;
            if on_account >= self.account_free() {
                let over = (on_account - self.account_free()).min(20) as u32;
                let delay = (2i64 << over).min(MAX_DELAY_SECONDS);
                let until = *last + Duration::seconds(delay);
                if until > now {
                    return Ok(Verdict::Wait(seconds_until(until, now)));
                }
            }
        }
        Ok(Verdict::Allowed)
    }

    /// Counts a failed sign-in.
    pub async fn failed(
        &self,
        conn: &impl ConnectionTrait,
        email: &str,
        address: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        record(
            conn,
            SIGN_IN,
            &account_key(email),
            &address_key(address),
            now,
        )
        .await
    }

    /// A successful sign-in forgets the failures of its account from its address.
    pub async fn succeeded(
        &self,
        conn: &impl ConnectionTrait,
        email: &str,
        address: &str,
    ) -> AppResult<()> {
        events::Entity::delete_many()
            .filter(events::Column::Kind.eq(SIGN_IN))
            .filter(events::Column::AccountKey.eq(account_key(email)))
            .filter(events::Column::Address.eq(address_key(address)))
            .exec(conn)
            .await?;
        Ok(())
    }
}

fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (until - now).num_seconds().max(1)
}

async fn record(
    conn: &impl ConnectionTrait,
    kind: &str,
    account: &str,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    events::ActiveModel {
        kind: Set(kind.to_string()),
        account_key: Set(account.to_string()),
        address: Set(address.to_string()),
        happened_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Counts a reset-link request; false when the address or the e-mail address has asked too
/// often in the last hour (the request is then dropped silently, like an unknown address).
pub async fn allow_reset(
    conn: &impl ConnectionTrait,
    email: &str,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let account = account_key(email);
    let address = address_key(address);
    let hour = now - Duration::hours(1);
    let base = || {
        events::Entity::find()
            .filter(events::Column::Kind.eq(RESET))
            .filter(events::Column::HappenedAt.gt(hour))
    };
    let by_address = base()
        .filter(events::Column::Address.eq(address.as_str()))
        .count(conn)
        .await?;
    let by_email = base()
        .filter(events::Column::AccountKey.eq(account.as_str()))
        .count(conn)
        .await?;
    if by_address >= RESETS_PER_ADDRESS || by_email >= RESETS_PER_EMAIL {
        return Ok(false);
    }
    record(conn, RESET, &account, &address, now).await?;
    Ok(true)
}

/// Forgets events older than any window (the worker calls this).
pub async fn purge(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let done = events::Entity::delete_many()
        .filter(events::Column::HappenedAt.lt(now - Duration::days(1)))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_are_cut_and_folded() {
        assert_eq!(account_key("  Boss@Bureau.CN "), "boss@bureau.cn");
        let long = "a".repeat(10_000);
        assert_eq!(account_key(&long).chars().count(), MAX_KEY_CHARS);
    }
}
