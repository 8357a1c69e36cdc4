DROP TABLE messages;
DROP TABLE threads;
DROP TABLE contacts;
DROP TABLE phone_numbers;
ALTER TABLE stores DROP COLUMN region;
ALTER TABLE stores DROP COLUMN country;
