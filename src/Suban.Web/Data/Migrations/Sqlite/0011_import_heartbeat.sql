-- An import's heartbeat, written after every batch: a running import whose heartbeat stopped lost its instance and
-- is shown as interrupted instead of running forever.

ALTER TABLE "import_jobs" ADD "heartbeat_at" TEXT NULL;
