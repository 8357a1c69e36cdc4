-- A conversation the merchant has closed; the customer's next text reopens it.
ALTER TABLE threads ADD COLUMN closed_at TIMESTAMP;
