ALTER TABLE threads ADD COLUMN last_inbound_at TIMESTAMP;
UPDATE threads SET last_inbound_at = (
    SELECT MAX(created_at) FROM messages
    WHERE messages.thread_id = threads.id AND messages.direction = 'inbound'
);
DROP INDEX threads_awaiting_reply;
CREATE INDEX threads_awaiting_reply ON threads (store_id, last_message_at DESC, id DESC) WHERE last_inbound_at = last_message_at;
ALTER TABLE threads DROP COLUMN awaiting_reply_since;
