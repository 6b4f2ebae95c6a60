-- Kefu Desk, SQLite. Times are UTC unix seconds; money is integer fen.
-- Never edit a migration once merged: add a new one.

CREATE TABLE buyers (
    nick           TEXT PRIMARY KEY NOT NULL,
    -- Lifecycle group, derived from the buyer's orders by the core (0 inquiry, 1 order,
    -- 2 shipped, 3 closed); kept here so that group lists are one index range.
    grp            INTEGER NOT NULL,
    -- Position within the group: for the order group the earliest auto-close time of an
    -- unpaid order (most urgent first); otherwise newer activity first.
    sort_key       INTEGER NOT NULL,
    is_returning   INTEGER NOT NULL DEFAULT 0,
    order_count    INTEGER NOT NULL DEFAULT 0,
    unpaid_count   INTEGER NOT NULL DEFAULT 0,
    next_close_at  INTEGER,
    last_order_at  INTEGER,
    note           TEXT NOT NULL DEFAULT '',
    note_by        TEXT,
    note_at        INTEGER,
    tags           TEXT NOT NULL DEFAULT '[]',
    tags_by        TEXT,
    tags_at        INTEGER,
    first_seen_at  INTEGER NOT NULL
);
CREATE INDEX buyers_by_group ON buyers (grp, sort_key, nick);

CREATE TABLE orders (
    order_no          TEXT PRIMARY KEY NOT NULL,
    buyer_nick        TEXT NOT NULL REFERENCES buyers (nick),
    status            INTEGER NOT NULL,
    close_reason      TEXT,
    total_fen         INTEGER NOT NULL,
    postage_fen       INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    paid_at           INTEGER,
    shipped_at        INTEGER,
    ended_at          INTEGER,
    terms_changed_at  INTEGER,
    close_deadline    INTEGER,
    title             TEXT NOT NULL DEFAULT '',
    buyer_message     TEXT NOT NULL DEFAULT '',
    seller_remark     TEXT NOT NULL DEFAULT '',
    receiver          TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    tracking_no       TEXT NOT NULL DEFAULT '',
    shop_name         TEXT NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL
);
CREATE INDEX orders_by_buyer ON orders (buyer_nick, created_at);
CREATE INDEX orders_by_status ON orders (status, created_at);

CREATE TABLE order_items (
    order_no    TEXT NOT NULL REFERENCES orders (order_no),
    line        INTEGER NOT NULL,
    title       TEXT NOT NULL,
    price_fen   INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    attributes  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_no, line)
);
