-- The shift schedule reads eight weeks of demand by time: orders by when they were placed,
-- conversations by when they started.
CREATE INDEX orders_placed ON orders (created_at);
CREATE INDEX conversations_started ON conversations (assigned_at);
