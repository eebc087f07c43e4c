//! Random tokens and their stored hashes (reset links, API tokens, CSRF tokens).
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes, URL-safe base64 without padding.
pub fn random_base64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// What is stored for a token: its SHA-256, hex. Tokens are long and random, so a plain
/// hash is enough (no salt or stretching needed).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new 512-bit key in the form Rocket's `secret_key` takes (standard base64).
pub fn new_secret_key() -> String {
    let mut buf = [0u8; 64];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::STANDARD.encode(buf)
}
