-- A buyer's note and tags are saved together, with the version the agent read: a PC that
-- read them earlier cannot silently overwrite a newer save (see buyers.rs, save_note).
ALTER TABLE buyers ADD COLUMN note_version BIGINT NOT NULL DEFAULT 0;

-- The state an agent had chosen when their PC went silent and the routing step marked
-- them offline: the PC's next heartbeat restores it (see team/accounts.rs, heartbeat).
ALTER TABLE agents ADD COLUMN silent_state TEXT;
