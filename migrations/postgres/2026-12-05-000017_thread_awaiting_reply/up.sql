-- Since when the customer has been waiting for an answer: the first of their texts that no
-- person has answered yet. A campaign's text is not an answer, so "the latest message is
-- theirs" no longer decides it. A keyword (STOP, START, HELP) answered by its confirmation,
-- written at the keyword's own time, waits for nothing; nor does a closed thread.
ALTER TABLE threads ADD COLUMN awaiting_reply_since TIMESTAMP;

UPDATE threads SET awaiting_reply_since = (
    SELECT MIN(inbound.created_at) FROM messages inbound
    WHERE inbound.thread_id = threads.id AND inbound.direction = 'inbound'
      AND NOT EXISTS (
          SELECT 1 FROM messages answer
          WHERE answer.thread_id = threads.id AND answer.direction = 'outbound'
            AND ((answer.kind = 'manual' AND answer.created_at >= inbound.created_at)
              OR (answer.kind = 'system' AND answer.created_at = inbound.created_at))
      )
)
WHERE closed_at IS NULL;

DROP INDEX threads_awaiting_reply;
CREATE INDEX threads_awaiting_reply ON threads (store_id, last_message_at DESC, id DESC) WHERE awaiting_reply_since IS NOT NULL;

-- Only the old rule read the customer's latest text's time.
ALTER TABLE threads DROP COLUMN last_inbound_at;
