//! Request bodies of uploads, limited in size so that a refused client still reads why.
//!
//! Many HTTP clients send the whole body before they read the answer. A server that
//! answers 413 (or 401) and closes while such a client is still sending leaves it with
//! "broken pipe" instead of the error. So before an early answer the rest of the body
//! is read and thrown away, within bounds ([`DRAIN_MAX_BYTES`], [`DRAIN_MAX_TIME`]), as
//! web servers' "lingering close" does.

use axum::body::{Body, BodyDataStream, Bytes};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Most bytes read and discarded after a refusal.
pub const DRAIN_MAX_BYTES: u64 = 256 << 20;
/// Longest time spent discarding after a refusal.
pub const DRAIN_MAX_TIME: Duration = Duration::from_secs(10);

/// The error a limited body ends with when it is longer than its limit.
#[derive(Debug)]
pub struct TooLarge(pub usize);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body is longer than {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Reads and discards the rest of `stream`, within the drain bounds.
pub async fn drain(mut stream: BodyDataStream) {
    let deadline = Instant::now() + DRAIN_MAX_TIME;
    let mut read = 0u64;
    while read < DRAIN_MAX_BYTES {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

/// `body`, ending with a [`TooLarge`] error (after draining the rest) once more than
/// `limit` bytes have come; `exceeded` is set then, so callers can tell this error
/// from a malformed body.
pub fn limited(body: Body, limit: usize, exceeded: Arc<AtomicBool>) -> Body {
    let state = Some((body.into_data_stream(), 0usize));
    let stream = futures_util::stream::unfold(state, move |state| {
        let exceeded = exceeded.clone();
        async move {
            let (mut stream, seen) = state?;
            match stream.next().await? {
                Err(e) => Some((Err(Box::new(e) as axum::BoxError), None)),
                Ok(chunk) if seen + chunk.len() <= limit => {
                    let seen = seen + chunk.len();
                    Some((Ok::<Bytes, axum::BoxError>(chunk), Some((stream, seen))))
                }
                Ok(_) => {
                    exceeded.store(true, Ordering::SeqCst);
                    drain(stream).await;
                    Some((Err(Box::new(TooLarge(limit)) as axum::BoxError), None))
                }
            }
        }
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(body: Body) -> Result<usize, String> {
        let mut stream = body.into_data_stream();
        let mut n = 0;
        while let Some(chunk) = stream.next().await {
            n += chunk.map_err(|e| e.to_string())?.len();
        }
        Ok(n)
    }

    fn chunks(sizes: &[usize]) -> Body {
        let parts: Vec<Result<Bytes, std::io::Error>> = sizes
            .iter()
            .map(|&n| Ok(Bytes::from(vec![7u8; n])))
            .collect();
        Body::from_stream(futures_util::stream::iter(parts))
    }

    #[tokio::test]
    async fn a_body_within_the_limit_passes_whole() {
        let flag = Arc::new(AtomicBool::new(false));
        let got = collect(limited(chunks(&[400, 600]), 1000, flag.clone())).await;
        assert_eq!(got, Ok(1000));
        assert!(!flag.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_longer_body_ends_in_an_error_and_is_flagged() {
        let flag = Arc::new(AtomicBool::new(false));
        let got = collect(limited(chunks(&[400, 600, 1]), 1000, flag.clone())).await;
        assert_eq!(
            got,
            Err("the request body is longer than 1000 bytes".to_owned())
        );
        assert!(flag.load(Ordering::SeqCst));
    }
}
