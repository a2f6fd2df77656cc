-- Teams, the clients (brands) each serves, and their members: a person sees and decides
-- only claims of the clients their teams serve. Each claim names its client.
CREATE TABLE teams (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);
CREATE TABLE team_clients (
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    client      TEXT    NOT NULL,
    PRIMARY KEY (team_id, client)
);
CREATE TABLE team_members (
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    user_id     TEXT    NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
ALTER TABLE claims ADD COLUMN client TEXT;
CREATE INDEX claims_client ON claims (client, created_at);
