-- The outbox also carries texts no campaign sends: opt-out, opt-in and HELP confirmations
-- (purpose `compliance`), whose message is written when they are queued.
ALTER TABLE outbox ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN step_id DROP NOT NULL;
