DROP INDEX orders_store_placed;
