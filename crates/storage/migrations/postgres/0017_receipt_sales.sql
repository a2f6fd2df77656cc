-- Receipts' sales as text (shop, day, time, total, receipt number), so the same
-- receipt sent with two claims is found however it was photographed, and the same
-- receipt number with another total is named as an edit.
CREATE TABLE receipt_sales (
    id          BIGSERIAL PRIMARY KEY,
    source      TEXT    NOT NULL,           -- the claim it came with
    sha256      TEXT    NOT NULL,           -- the evidence file, lowercase hex
    merchant    TEXT    NOT NULL,           -- letters and digits, upper case
    sale_date   TEXT    NOT NULL,           -- YYYY-MM-DD
    sale_time   TEXT,                       -- HH:MM, when printed
    total_cents BIGINT  NOT NULL,
    number      TEXT,                       -- receipt number, letters and digits, upper case
    seen_at     BIGINT  NOT NULL            -- ms since 1970 (UTC)
);
CREATE INDEX receipt_sales_sale ON receipt_sales (merchant, sale_date);
CREATE INDEX receipt_sales_source ON receipt_sales (source);
