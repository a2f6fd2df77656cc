-- Customers a person declared a relation with (family, friends, themselves): they never
-- decide or approve those customers' claims.
CREATE TABLE user_related_customers (
    user_id      TEXT    NOT NULL REFERENCES users (id),
    customer_id  TEXT    NOT NULL,          -- pseudonymous, as claims carry it
    declared_by  TEXT    NOT NULL,          -- cli or user:ID
    declared_at  BIGINT  NOT NULL,          -- milliseconds since 1970 UTC
    PRIMARY KEY (user_id, customer_id)
);
