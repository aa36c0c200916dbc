-- Data-driven events (大数据事件工单): the platform's own request about a hotspot, and the requests that made it.

CREATE TABLE "data_driven_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_data_driven_events" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "area_code" TEXT NOT NULL,
    "matter_code" TEXT NOT NULL,
    "window_from" TEXT NOT NULL,
    "window_to" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "people" INTEGER NOT NULL,
    "expected" REAL NOT NULL,
    "created_at" TEXT NOT NULL,
    "created_by_user_id" TEXT NULL,
    CONSTRAINT "fk_data_driven_events_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "ix_data_driven_events_request_id" ON "data_driven_events" ("request_id");

CREATE INDEX "ix_data_driven_events_area_code_matter_code" ON "data_driven_events" ("area_code", "matter_code");

CREATE TABLE "data_driven_event_members" (
    "event_id" INTEGER NOT NULL,
    "request_id" INTEGER NOT NULL,
    CONSTRAINT "pk_data_driven_event_members" PRIMARY KEY ("event_id", "request_id"),
    CONSTRAINT "fk_data_driven_event_members_data_driven_events_event_id" FOREIGN KEY ("event_id") REFERENCES "data_driven_events" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_data_driven_event_members_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_data_driven_event_members_request_id" ON "data_driven_event_members" ("request_id");
