//! Keeping a hostile PDF's parsed objects within memory. lopdf holds every object of a
//! file in memory, about 120 bytes per number or name: a 30 MB file of one long array
//! took 1.8 GB. Two bounds keep a PDF within [`MAX_ELEMENTS`] elements (~300 MB):
//! before parsing, the file's tokens outside stream data are counted; while parsing,
//! each object (also those unpacked from compressed object streams) is weighed and
//! dropped once the budget is spent.

use std::cell::Cell;

/// Numbers, names, strings and containers a PDF may hold when read.
pub const MAX_ELEMENTS: usize = 2_000_000;

thread_local! {
    /// Elements still allowed while a PDF is loaded on this thread.
    static LEFT: Cell<usize> = const { Cell::new(usize::MAX) };
    /// Whether an object was dropped for want of budget.
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Tokens in the file outside stream data (an upper bound on what parsing it creates).
pub(super) fn tokens_outside_streams(bytes: &[u8]) -> usize {
    let finder = memchr::memmem::Finder::new(b"endstream");
    let mut count = 0;
    let mut in_token = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            in_token = false;
        } else if b"[]<>(){}/".contains(&b) {
            count += 1;
            in_token = false;
        } else if !in_token {
            count += 1;
            in_token = true;
            if bytes[i..].starts_with(b"stream") && matches!(bytes.get(i + 6), Some(b'\r' | b'\n')) {
                match finder.find(&bytes[i + 6..]) {
                    Some(end) => i += 6 + end + 9,
                    None => break,
                }
                in_token = false;
                continue;
            }
        }
        i += 1;
    }
    count
}

/// Starts a load on this thread with a fresh budget.
pub(super) fn start() {
    LEFT.with(|l| l.set(MAX_ELEMENTS));
    SPENT.with(|s| s.set(false));
}

/// Ends a load: whether the budget ran out.
pub(super) fn finish() -> bool {
    LEFT.with(|l| l.set(usize::MAX));
    SPENT.with(Cell::get)
}

/// lopdf's load filter: keeps an object while the budget lasts.
pub(super) fn keep(id: (u32, u16), object: &mut lopdf::Object) -> Option<((u32, u16), lopdf::Object)> {
    let weight = weigh(object, 0);
    let left = LEFT.with(Cell::get);
    if weight > left {
        SPENT.with(|s| s.set(true));
        return None;
    }
    LEFT.with(|l| l.set(left - weight));
    // lopdf keeps `object` itself for a top-level object and the returned copy for one
    // unpacked from an object stream.
    Some((id, object.clone()))
}

/// Elements in an object, its stream data counted at one per 64 bytes.
fn weigh(object: &lopdf::Object, depth: usize) -> usize {
    use lopdf::Object::*;
    if depth > 64 {
        return 1;
    }
    1 + match object {
        Array(items) => items.iter().map(|o| weigh(o, depth + 1)).sum(),
        Dictionary(d) => d.iter().map(|(_, o)| 1 + weigh(o, depth + 1)).sum(),
        Stream(s) => s.dict.iter().map(|(_, o)| 1 + weigh(o, depth + 1)).sum::<usize>() + s.content.len() / 64,
        String(bytes, _) => bytes.len() / 64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_stream_data_are_not_counted() {
        let pdf = b"1 0 obj << /Length 9 >> stream\n0 0 0 0 0\nendstream endobj [1 2 3]";
        // 1 0 obj < < / Length 9 > > stream endobj [ 1 2 3 ]
        assert_eq!(tokens_outside_streams(pdf), 17);
    }

    #[test]
    fn the_budget_drops_objects_once_spent() {
        start();
        let mut big = lopdf::Object::Array(vec![lopdf::Object::Integer(0); MAX_ELEMENTS - 10]);
        assert!(keep((1, 0), &mut big).is_some());
        let mut more = lopdf::Object::Array(vec![lopdf::Object::Integer(0); 20]);
        assert!(keep((2, 0), &mut more).is_none());
        assert!(finish());
        start();
        assert!(!finish());
    }
}
