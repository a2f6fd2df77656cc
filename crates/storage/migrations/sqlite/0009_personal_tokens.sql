-- Personal API tokens: a key that acts as one user (their role, authority and rules).
ALTER TABLE api_keys ADD COLUMN user_id TEXT REFERENCES users (id);
