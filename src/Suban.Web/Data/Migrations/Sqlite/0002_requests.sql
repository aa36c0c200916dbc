-- Generated from the EF model with `dotnet run --project src/Suban.Web -- schema`, then reviewed.
-- Requests, their assignments, timeline and photos; tracking-number sequences.

CREATE TABLE "tracking_sequences" (
    "day" TEXT NOT NULL CONSTRAINT "pk_tracking_sequences" PRIMARY KEY,
    "last" INTEGER NOT NULL
);

CREATE TABLE "requests" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_requests" PRIMARY KEY AUTOINCREMENT,
    "tracking_number" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "address_text" TEXT NULL,
    "latitude" REAL NULL,
    "longitude" REAL NULL,
    "contact_name" TEXT NULL,
    "contact_phone" TEXT NOT NULL,
    "is_anonymous" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "external_id" TEXT NULL,
    "idempotency_key" TEXT NULL,
    "payload_hash" TEXT NULL,
    "urgency" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "citizen_user_id" TEXT NULL,
    "created_by_user_id" TEXT NULL,
    "platform_unit_id" INTEGER NOT NULL,
    "lead_unit_id" INTEGER NULL,
    "submitted_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "replied_at" TEXT NULL,
    "closed_at" TEXT NULL,
    "rating" TEXT NULL,
    "reopen_count" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    CONSTRAINT "fk_requests_units_lead_unit_id" FOREIGN KEY ("lead_unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_requests_units_platform_unit_id" FOREIGN KEY ("platform_unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "request_assignments" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_request_assignments" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "is_lead" INTEGER NOT NULL,
    "is_active" INTEGER NOT NULL,
    "assigned_at" TEXT NOT NULL,
    "accepted_at" TEXT NULL,
    "part_report" TEXT NULL,
    "part_reported_at" TEXT NULL,
    CONSTRAINT "fk_request_assignments_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_request_assignments_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "request_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_request_events" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "at" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "from_state" TEXT NULL,
    "to_state" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "actor_unit_id" INTEGER NULL,
    "actor_user_id" TEXT NULL,
    "note" TEXT NULL,
    "is_public" INTEGER NOT NULL,
    CONSTRAINT "fk_request_events_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_request_events_units_actor_unit_id" FOREIGN KEY ("actor_unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "request_photos" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_request_photos" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "content_type" TEXT NOT NULL,
    "content" BLOB NOT NULL,
    CONSTRAINT "fk_request_photos_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_request_assignments_request_id" ON "request_assignments" ("request_id");

CREATE INDEX "ix_request_assignments_unit_id_is_active" ON "request_assignments" ("unit_id", "is_active");

CREATE INDEX "ix_request_events_actor_unit_id" ON "request_events" ("actor_unit_id");

CREATE INDEX "ix_request_events_request_id_id" ON "request_events" ("request_id", "id");

CREATE UNIQUE INDEX "ix_request_photos_request_id_position" ON "request_photos" ("request_id", "position");

CREATE UNIQUE INDEX "ix_requests_channel_external_id" ON "requests" ("channel", "external_id");

CREATE INDEX "ix_requests_citizen_user_id" ON "requests" ("citizen_user_id");

CREATE UNIQUE INDEX "ix_requests_idempotency_key" ON "requests" ("idempotency_key");

CREATE INDEX "ix_requests_lead_unit_id" ON "requests" ("lead_unit_id");

CREATE INDEX "ix_requests_platform_unit_id" ON "requests" ("platform_unit_id");

CREATE INDEX "ix_requests_state_submitted_at" ON "requests" ("state", "submitted_at");

CREATE INDEX "ix_requests_submitted_at" ON "requests" ("submitted_at");

CREATE UNIQUE INDEX "ix_requests_tracking_number" ON "requests" ("tracking_number");

-- The timeline is append-only: the database refuses to rewrite it, whoever asks.
CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events
BEGIN SELECT RAISE(ABORT, 'request events are immutable'); END;

CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events
BEGIN SELECT RAISE(ABORT, 'request events are immutable'); END;
