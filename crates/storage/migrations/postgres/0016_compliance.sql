-- The organisation's register of AI systems (proofdesk's own pre-filled), recorded
-- evaluations (the `proofdesk eval` document of a deployed version), and the editions
-- of the generated AI Act documentation, each kept as generated.
CREATE TABLE ai_systems (
    id           TEXT    PRIMARY KEY,       -- slug, e.g. proofdesk-routing
    name         TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    owner        TEXT    NOT NULL,          -- the person or role accountable
    users        TEXT    NOT NULL,          -- who uses its outputs
    data_used    TEXT    NOT NULL,
    answers      TEXT    NOT NULL,          -- the questionnaire's yes answers, comma-separated
    risk_class   TEXT    NOT NULL,          -- prohibited | high-risk | transparency | minimal
    reasoning    TEXT    NOT NULL,          -- JSON list of {en, nl}
    review_due   TEXT    NOT NULL,          -- YYYY-MM-DD
    builtin      BIGINT  NOT NULL DEFAULT 0,-- one of proofdesk's own components
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    updated_by   TEXT    NOT NULL           -- user:ID or cli
);

CREATE TABLE evaluations (
    id                BIGSERIAL PRIMARY KEY,
    kind              TEXT    NOT NULL,     -- screen (proofdesk.eval/1) | detector (proofdesk.detector-eval/1)
    proofdesk_version TEXT    NOT NULL,
    corpus_sha256     TEXT    NOT NULL,     -- of the corpus's MANIFEST.csv
    document          TEXT    NOT NULL,     -- the evaluation's JSON
    recorded_at       BIGINT  NOT NULL,
    recorded_by       TEXT    NOT NULL
);
CREATE INDEX evaluations_kind ON evaluations (kind, recorded_at);

CREATE TABLE ai_act_documents (
    edition           BIGINT  PRIMARY KEY,  -- 1, 2, 3 …
    generated_at      BIGINT  NOT NULL,
    generated_by      TEXT    NOT NULL,
    proofdesk_version TEXT    NOT NULL,
    evaluation_id     BIGINT,              -- the evaluation it reports
    sha256            TEXT    NOT NULL,     -- of the HTML
    html              TEXT    NOT NULL
);
