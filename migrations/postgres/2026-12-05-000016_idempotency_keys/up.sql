-- The first answer to each request an integrator sent with an `Idempotency-Key`, so that a
-- retry gets that answer again instead of doing the work twice. Kept for a day.
CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of the method, the path and the request's body: the same key may not be reused
    -- for another request.
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (store_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
