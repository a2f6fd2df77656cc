//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand so that it says
//! exactly what the handlers do (tests check the routes it lists answer).

use serde_json::{json, Value};

/// The document.
pub fn document() -> Value {
    let problem = json!({"$ref": "#/components/schemas/Problem"});
    let problem_response = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": problem.clone()}}
        })
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "proofdesk",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Claims in, evidence screened for AI generation, manipulation and reuse, routed to clear, review or escalate. A machine never rejects a claim: the worst band means a person must look."
        },
        "paths": {
            "/v1/claims": {
                "post": {
                    "summary": "Submit a claim with its evidence",
                    "description": "Accepted (202) once the claim, its evidence and its screening job are durably stored. Retrying with the same Idempotency-Key and content returns the same claim.",
                    "parameters": [{
                        "name": "Idempotency-Key", "in": "header", "required": false,
                        "schema": {"type": "string", "maxLength": 200},
                        "description": "Any unique string per claim; a retry with the same key and content answers as the first request did."
                    }],
                    "requestBody": {
                        "required": true,
                        "content": {"multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["claim", "evidence"],
                                "properties": {
                                    "claim": {"$ref": "#/components/schemas/ClaimContext"},
                                    "evidence": {"type": "array", "maxItems": 20, "items": {"type": "string", "contentMediaType": "application/octet-stream"}}
                                }
                            },
                            "encoding": {"claim": {"contentType": "application/json"}}
                        }}
                    },
                    "responses": {
                        "202": {"description": "Accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
                        "400": problem_response("Malformed request or invalid fields (each named in `errors`)"),
                        "413": problem_response("Request too large"),
                        "415": problem_response("Not multipart/form-data"),
                        "422": problem_response("Idempotency-Key reused for a different request"),
                        "503": problem_response("Storage unavailable; nothing was accepted")
                    }
                },
                "get": {
                    "summary": "List claims, newest first",
                    "parameters": [
                        {"name": "status", "in": "query", "schema": {"enum": ["received", "screening", "screened", "failed"]}},
                        {"name": "band", "in": "query", "schema": {"enum": ["clear", "review", "escalate"]}},
                        {"name": "customer_id", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
                    ],
                    "responses": {
                        "200": {"description": "Claims", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"claims": {"type": "array", "items": {"$ref": "#/components/schemas/ClaimSummary"}}}
                        }}}},
                        "400": problem_response("Unknown filter value")
                    }
                }
            },
            "/v1/claims/{id}": {
                "get": {
                    "summary": "A claim with its status, score, band, reasons and per-evidence signals",
                    "description": "An API key receives the outcome (id, reference, status, score, band, reasons) and the data categories it was made with (`proofdesk api-key create --receives`): `customer` (customer_id), `context`, `evidence` (the files and their signals) and `positions` (exact GPS in signals; without it a signal carries only `country`). The same holds for `GET /v1/claims` and the webhook (`--webhook-receives`).",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "The claim", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Claim"}}}},
                        "404": problem_response("No such claim"),
                        "503": problem_response("Storage unavailable")
                    }
                }
            },
            "/v1/claims/{id}/decisions": {
                "post": {
                    "summary": "A person's decision on a claim (personal token: `proofdesk user token NAME`)",
                    "description": "The same rules as in the workspace: a reason in the person's words; reject only for fraud analysts and supervisors; never on a claim the person submitted; an approval above the person's authority waits for a second approver, who must not be the first and whose authority covers the same amount.",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["action", "reason"], "additionalProperties": false,
                        "properties": {
                            "action": {"enum": ["approve", "reject", "request_evidence", "escalate"]},
                            "reason": {"type": "string", "minLength": 10, "maxLength": 2000},
                            "amount": {"type": "string", "pattern": "^[0-9]+([.,][0-9]{1,2})?$", "description": "Approvals only"},
                            "currency": {"type": "string", "description": "ISO 4217, approvals only"},
                            "payout_ref": {"type": "string", "maxLength": 60, "description": "Approvals only, optional: the account paid out to (IBAN or payment reference); kept only as a keyed pseudonym, for the insider rule on repeated payout accounts"}
                        }
                    }}}},
                    "responses": {
                        "200": {"description": "Recorded", "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {
                                "claim": {"type": "string"}, "action": {"type": "string"}, "decided_by": {"type": "string"},
                                "status": {"enum": ["decided", "awaiting_second_approval", "open"]}
                            }
                        }}}},
                        "400": problem_response("Not JSON, or unknown fields"),
                        "401": problem_response("No or an unknown token"),
                        "403": problem_response("Not allowed: not a personal token, the role may not reject, the person's own claim, above authority, the same approver twice"),
                        "404": problem_response("No such claim"),
                        "409": problem_response("The claim is not screened yet, or was closed (also when another person decided it a moment earlier)"),
                        "422": problem_response("No reason, or an amount or currency that cannot be used"),
                        "503": problem_response("Storage unavailable")
                    }
                }
            },
            "/v1/claims/{id}/evidence-requests": {
                "post": {
                    "summary": "Ask the customer for better evidence: a one-time link for the CRM to send",
                    "description": "The link opens a page (no sign-in, Dutch or English) that asks for what is listed; for `new_photo` it shows a one-time code to photograph beside the item. It takes one answer: the files are attached to the claim, the claim is screened again and the `claim.screened` webhook lists the answered requests. The link's secret is shown only here.",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["asks"], "additionalProperties": false,
                        "properties": {
                            "asks": {"type": "array", "minItems": 1, "items": {"enum": ["original_file", "new_photo", "receipt", "serial_closeup"]}},
                            "lang": {"enum": ["nl", "en"], "default": "nl", "description": "The page's first language (the customer can switch)"},
                            "expires_in_hours": {"type": "integer", "minimum": 1, "maximum": 720, "description": "Default: the server's --evidence-request-hours (72)"}
                        }
                    }}}},
                    "responses": {
                        "201": {"description": "Made; `url` is the link to send", "content": {"application/json": {"schema": {"allOf": [
                            {"$ref": "#/components/schemas/EvidenceRequest"},
                            {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}}
                        ]}}}},
                        "400": problem_response("Not JSON, or unknown fields"),
                        "401": problem_response("No or an unknown key"),
                        "404": problem_response("No such claim (or not one of the token's clients)"),
                        "409": problem_response("The claim is closed"),
                        "422": problem_response("Unknown or no asks, a bad language or validity"),
                        "503": problem_response("Storage unavailable")
                    }
                },
                "get": {
                    "summary": "A claim's evidence requests and their state",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "The requests, oldest first", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"requests": {"type": "array", "items": {"$ref": "#/components/schemas/EvidenceRequest"}}}
                        }}}},
                        "404": problem_response("No such claim")
                    }
                }
            },
            "/v1/claims/{id}/evidence-requests/{request}": {
                "delete": {
                    "summary": "Withdraw a request that was not answered (its link then says so)",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "request", "in": "path", "required": true, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "204": {"description": "Withdrawn"},
                        "404": problem_response("No such claim or request"),
                        "409": problem_response("Already answered or withdrawn")
                    }
                }
            },
            "/v1/subjects/{customer}/export": {
                "get": {
                    "summary": "Everything held about a customer, as a zip (summary.txt, data.json, the files); an administrator's personal token",
                    "parameters": [{"name": "customer", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "The zip", "content": {"application/zip": {}}},
                        "403": problem_response("Not an administrator's personal token"),
                        "503": problem_response("Storage unavailable")
                    }
                }
            },
            "/v1/subjects/{customer}": {
                "delete": {
                    "summary": "Erase everything held about a customer (the audit trail keeps ids and hashes and still verifies); an administrator's personal token",
                    "parameters": [{"name": "customer", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "What was removed", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "claims": {"type": "integer"}, "files": {"type": "integer"}, "blobs_deleted": {"type": "integer"},
                            "decisions": {"type": "integer"}, "evidence_requests": {"type": "integer"}, "reuse_entries": {"type": "integer"},
                            "key_destroyed": {"type": ["string", "null"], "description": "With per-customer keys: the id of the customer's evidence key, now destroyed"}
                        }}}}},
                        "403": problem_response("Not an administrator's personal token"),
                        "503": problem_response("Storage unavailable")
                    }
                }
            },
            "/v1/retention": {
                "get": {
                    "summary": "What a retention pass would delete or pseudonymise now (a dry run; nothing changes); an administrator's personal token",
                    "responses": {
                        "200": {"description": "As `proofdesk retention run --dry-run --json`", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "schema": {"const": "proofdesk.retention-run/1"}, "dry_run": {"const": true},
                            "evidence_deleted": {"type": "array", "items": {"type": "string"}, "description": "Claims whose evidence is due"},
                            "pseudonymised": {"type": "array", "items": {"type": "string"}, "description": "Claims whose context is due"},
                            "on_hold": {"type": "integer"}, "blobs_deleted": {"type": "integer"},
                            "audit_entries_pruned": {"type": "integer", "description": "Audit entries past their period"}
                        }}}}},
                        "403": problem_response("Not an administrator's personal token")
                    }
                }
            },
            "/v1/claims/{id}/legal-hold": {
                "put": {
                    "summary": "Put a claim on legal hold: retention leaves it alone until released (audited); an administrator's personal token",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["reason"], "additionalProperties": false,
                        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500, "description": "A case number, a court order"}}
                    }}}},
                    "responses": {
                        "200": {"description": "On hold", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}, "legal_hold": {"type": "string"}}}}}},
                        "400": problem_response("No reason, or another body"),
                        "403": problem_response("Not an administrator's personal token"),
                        "404": problem_response("No such claim")
                    }
                },
                "delete": {
                    "summary": "Lift a claim's legal hold (audited); an administrator's personal token",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "Released", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}, "legal_hold": {"type": "null"}}}}}},
                        "403": problem_response("Not an administrator's personal token"),
                        "404": problem_response("No such claim")
                    }
                }
            },
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}}
        },
        "components": {"schemas": {
            "EvidenceRequest": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"}, "claim": {"type": "string"},
                    "asks": {"type": "array", "items": {"type": "string"}},
                    "state": {"enum": ["sent", "opened", "answered", "expired", "revoked"]},
                    "lang": {"type": "string"}, "created_by": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"},
                    "opened_at": {"type": ["string", "null"], "format": "date-time"},
                    "code_shown_at": {"type": ["string", "null"], "format": "date-time"},
                    "answered_at": {"type": ["string", "null"], "format": "date-time"},
                    "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                    "files": {"type": "integer", "description": "Files received"}
                }
            },
            "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details",
                "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }
            },
            "ClaimContext": {
                "type": "object",
                "required": ["external_ref", "customer_id"],
                "additionalProperties": false,
                "properties": {
                    "external_ref": {"type": "string", "maxLength": 200, "description": "Your ticket or case number"},
                    "customer_id": {"type": "string", "maxLength": 200, "description": "Pseudonymous customer id (never a name or e-mail address)"},
                    "client": {"type": "string", "maxLength": 200, "description": "The client (brand) the claim is for; only people in teams serving it see the claim"},
                    "channel": {"enum": ["web", "email", "phone", "app", "chat", "store", "other"]},
                    "language": {"type": "string", "pattern": "^[a-z]{2}$", "description": "The customer's language, ISO 639-1 (nl, en); used for fairness monitoring, never for routing"},
                    "claim_type": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,39}$", "description": "What kind of claim (damage, not-delivered, …); authority can differ per type"},
                    "product": {"type": "string"},
                    "shop": {"type": "string", "description": "The shop it was bought from; set against the shop on a receipt"},
                    "claimed_amount": {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$", "examples": ["129.95"]},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217; required with claimed_amount"},
                    "purchase_date": {"type": "string", "format": "date"},
                    "incident_date": {"type": "string", "format": "date"},
                    "order_number": {"type": "string"},
                    "serial_numbers": {"type": "array", "maxItems": 20, "items": {"type": "string"}},
                    "delivery_postcode": {"type": "string"},
                    "delivery_country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"}
                }
            },
            "Accepted": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "status": {"const": "received"}, "links": {"type": "object", "properties": {"self": {"type": "string"}}}}
            },
            "ClaimSummary": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"}, "external_ref": {"type": "string"}, "customer_id": {"type": "string"},
                    "status": {"enum": ["received", "screening", "screened", "failed"]},
                    "score": {"type": ["number", "null"]}, "band": {"enum": ["clear", "review", "escalate", null]},
                    "received_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
                }
            },
            "Claim": {
                "allOf": [{"$ref": "#/components/schemas/ClaimSummary"}, {
                    "type": "object",
                    "properties": {
                        "context": {"$ref": "#/components/schemas/ClaimContext"},
                        "reasons": {"type": "array", "items": {"type": "object", "properties": {
                            "evidence": {"type": ["integer", "null"]}, "signal": {"type": "string"}, "points": {"type": "number"},
                            "summary": {"type": "object", "properties": {"en": {"type": "string"}, "nl": {"type": "string"}}}
                        }}},
                        "evidence": {"type": "array", "items": {"type": "object", "properties": {
                            "position": {"type": "integer"}, "filename": {"type": ["string", "null"]}, "media_type": {"type": ["string", "null"]},
                            "sha256": {"type": "string"}, "size": {"type": "integer"}, "format": {"type": ["string", "null"]},
                            "verdict": {"type": ["string", "null"], "description": "as in `proofdesk screen`; null until screened"},
                            "reasons": {"type": ["array", "null"]}, "signals": {"type": ["array", "null"], "description": "signals as in `proofdesk screen --json`"},
                            "receipt": {"type": "object", "description": "present when the file is a document that was read: {schema: proofdesk.receipt/1, fields, lines, error?} (docs/json-schema.md)"}
                        }}}
                    }
                }]
            }
        }}
    })
}
