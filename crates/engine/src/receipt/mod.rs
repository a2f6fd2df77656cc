//! Checks of what a receipt or invoice says: its identity numbers ([`identity`]), its
//! VAT ([`vat`]) and its sums ([`arithmetic`]), and their findings as signals
//! ([`signals`]). They take the fields a reader extracted (amounts in cents) and say
//! what does not hold; a failed check is a reason for a person to look closer, never
//! a verdict on its own.

pub mod arithmetic;
pub mod identity;
pub mod signals;
pub mod vat;

/// `n / d` (d > 0) in whole cents, rounded half away from zero.
fn round_div(n: i128, d: i128) -> i64 {
    let q = (2 * n.abs() + d) / (2 * d);
    (if n < 0 { -q } else { q }) as i64
}
