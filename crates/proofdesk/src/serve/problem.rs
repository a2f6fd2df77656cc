//! RFC 9457 problem details: every error the API gives is `application/problem+json`
//! with a type, a title, the status, a precise detail and, for bad fields, each field.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use proofdesk_domain::claim::FieldError;
use serde_json::json;

/// An API error.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
}

impl Problem {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            status,
            kind,
            title,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request is malformed",
            detail,
        )
    }

    /// 400 naming every wrong field.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Problem {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-fields",
            "Some fields are missing or wrong",
            format!("check: {}", names.join(", ")),
        );
        p.errors = errors;
        p
    }

    /// 401: no key, or a key that is unknown or revoked.
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "An API key is needed",
            detail,
        )
    }

    /// 403: the key lacks a scope.
    pub fn forbidden(scope: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This API key may not do this",
            format!("the key lacks the scope {scope}; create one with `proofdesk api-key create --scope {scope}`"),
        )
    }

    /// 403: the rules forbid this person the decision (role, own claim, authority).
    pub fn not_allowed(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "not-allowed", "You may not make this decision", detail)
    }

    /// 409: the claim's state does not allow it (not screened, closed, decided first by someone else).
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", "The claim's state does not allow this", detail)
    }

    /// 422: a decision that cannot be used as sent (no reason, a bad amount).
    pub fn invalid_decision(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-decision", "The decision cannot be used", detail)
    }

    /// 422: an evidence request that cannot be made as sent (unknown ask, bad validity).
    pub fn invalid_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-evidence-request", "The evidence request cannot be made", detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// 413 with the limit.
    pub fn too_large(limit: usize) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "The request is too large",
            format!("a claim with its files may be at most {} MiB", limit >> 20),
        )
    }

    /// 415.
    pub fn unsupported_media(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    /// 422: an idempotency key reused for a different request.
    pub fn key_reused(existing: &str) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request",
            format!("the key already created claim {existing} with other content; use a new key for a new claim"),
        )
    }

    /// 503: the database or evidence store cannot be reached; nothing was accepted.
    pub fn unavailable(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Storage is unavailable; try again",
            detail,
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        log!("proofdesk api: {} {}: {}", self.status.as_u16(), self.title, self.detail);
        let mut body = json!({
            "type": format!("https://proofdesk.dev/problems/{}", self.kind),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if !self.errors.is_empty() {
            body["errors"] = serde_json::to_value(&self.errors).unwrap_or_default();
        }
        let mut r = (self.status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        r
    }
}
