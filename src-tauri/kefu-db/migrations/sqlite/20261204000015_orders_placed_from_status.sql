-- Demand history reads when orders were placed through `orders_by_status (status,
-- created_at)`, a range per status (see schedule/history.rs): this index was a third copy
-- of `created_at` that every big import sorted and wrote again (about 1.0 s of a 1,000,000
-- order import; the history's read costs about 40 ms more at that size).
DROP INDEX orders_placed;
