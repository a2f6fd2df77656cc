//! Checks of what a receipt or invoice says: its identity numbers ([`identity`]), its
//! VAT ([`vat`]) and its sums ([`arithmetic`]), and their findings as signals
//! ([`signals`]). They take the fields a reader extracted (amounts in cents) and say
//! what does not hold; a failed check is a reason for a person to look closer, never
//! a verdict on its own.

pub mod arithmetic;
pub mod identity;
pub mod signals;
pub mod vat;

/// `n / d` (d > 0) in whole cents, rounded half away from zero, saturated to i64 (the
/// amounts come from reading a picture and may be absurd).
fn round_div(n: i128, d: i128) -> i64 {
    let (q, r) = (n.unsigned_abs() / d.unsigned_abs(), n.unsigned_abs() % d.unsigned_abs());
    let q = q + u128::from(2 * r >= d.unsigned_abs());
    let q = i64::try_from(q).unwrap_or(i64::MAX);
    if n < 0 { -q } else { q }
}

/// `a − b` without overflow.
fn difference(a: i64, b: i64) -> i128 {
    i128::from(a) - i128::from(b)
}

/// The sum of amounts, saturated to i64.
fn total(amounts: impl Iterator<Item = i64>) -> i64 {
    amounts.fold(0i64, i64::saturating_add)
}
