//! Checks of what a receipt or invoice says: its identity numbers ([`identity`]), its
//! VAT ([`vat`]) and its sums ([`arithmetic`]). They take the fields a reader
//! extracted (amounts in cents) and say what does not hold; a failed check is a reason
//! for a person to look closer, never a verdict on its own.

pub mod arithmetic;
pub mod identity;
pub mod vat;
