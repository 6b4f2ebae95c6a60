-- Dated overrides for peak days (双11, 618, any date the shop names): arrivals times
-- `multiplier` plus `added_per_slot` each half hour, and extra agents on named templates
-- (JSON of kefu-core's `ExtraShifts`). Checked by the core (`shifts::check_peak`).
CREATE TABLE peak_days (
    date            TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    multiplier      DOUBLE PRECISION NOT NULL DEFAULT 1,
    added_per_slot  DOUBLE PRECISION NOT NULL DEFAULT 0,
    extra           TEXT NOT NULL DEFAULT '[]'
);
