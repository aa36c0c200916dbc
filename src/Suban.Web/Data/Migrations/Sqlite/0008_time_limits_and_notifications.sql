-- Generated from the EF model with `dotnet run --project src/Suban.Web -- schema`, then reviewed.
-- Time limits: clocks, overdue records, reminders, supervision orders, extensions, the working calendar;
-- the notification outbox; unit heads.

ALTER TABLE "asp_net_users" ADD "is_unit_head" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "calendar_days" (
    "date" TEXT NOT NULL CONSTRAINT "pk_calendar_days" PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE "supervision_orders" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_supervision_orders" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "issued_at" TEXT NOT NULL,
    "issued_by_user_id" TEXT NULL,
    "due_at" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "answered_at" TEXT NULL,
    "answer" TEXT NULL,
    CONSTRAINT "fk_supervision_orders_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_supervision_orders_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "request_clocks" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_request_clocks" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "basis" TEXT NOT NULL,
    "limit_amount" REAL NOT NULL,
    "extended" REAL NOT NULL,
    "started_at" TEXT NOT NULL,
    "warn_at" TEXT NOT NULL,
    "due_at" TEXT NOT NULL,
    "escalate_at" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "paused_at" TEXT NULL,
    "ended_at" TEXT NULL,
    "step" INTEGER NOT NULL,
    "overdue" INTEGER NOT NULL,
    "next_check_at" TEXT NULL,
    "claimed_by" TEXT NULL,
    "claimed_until" TEXT NULL,
    "supervision_order_id" INTEGER NULL,
    CONSTRAINT "fk_request_clocks_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_request_clocks_supervision_orders_supervision_order_id" FOREIGN KEY ("supervision_order_id") REFERENCES "supervision_orders" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_request_clocks_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "notifications" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_notifications" PRIMARY KEY AUTOINCREMENT,
    "created_at" TEXT NOT NULL,
    "request_id" INTEGER NULL,
    "audience" TEXT NOT NULL,
    "unit_id" INTEGER NULL,
    "user_id" TEXT NULL,
    "address" TEXT NULL,
    "channel" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "next_attempt_at" TEXT NOT NULL,
    "claimed_by" TEXT NULL,
    "claimed_until" TEXT NULL,
    "sent_at" TEXT NULL,
    "last_error" TEXT NULL,
    "read_at" TEXT NULL,
    CONSTRAINT "fk_notifications_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE TABLE "extension_requests" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_extension_requests" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "clock_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "days" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "requested_at" TEXT NOT NULL,
    "requested_by_user_id" TEXT NULL,
    "status" TEXT NOT NULL,
    "decided_at" TEXT NULL,
    "decided_by_user_id" TEXT NULL,
    "decision_note" TEXT NULL,
    CONSTRAINT "fk_extension_requests_request_clocks_clock_id" FOREIGN KEY ("clock_id") REFERENCES "request_clocks" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_extension_requests_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_extension_requests_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "overdue_records" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_overdue_records" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "clock_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "due_at" TEXT NOT NULL,
    "recorded_at" TEXT NOT NULL,
    CONSTRAINT "fk_overdue_records_request_clocks_clock_id" FOREIGN KEY ("clock_id") REFERENCES "request_clocks" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_overdue_records_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_overdue_records_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "reminders" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_reminders" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "clock_id" INTEGER NULL,
    "level" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "at" TEXT NOT NULL,
    "by_user_id" TEXT NULL,
    "note" TEXT NULL,
    "skipped" INTEGER NOT NULL,
    CONSTRAINT "fk_reminders_request_clocks_clock_id" FOREIGN KEY ("clock_id") REFERENCES "request_clocks" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_reminders_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_reminders_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE INDEX "ix_supervision_orders_request_id" ON "supervision_orders" ("request_id");

CREATE INDEX "ix_supervision_orders_unit_id_status" ON "supervision_orders" ("unit_id", "status");

CREATE INDEX "ix_request_clocks_next_check_at" ON "request_clocks" ("next_check_at") WHERE status = 'Running' AND next_check_at IS NOT NULL;

CREATE INDEX "ix_request_clocks_request_id" ON "request_clocks" ("request_id");

CREATE INDEX "ix_request_clocks_supervision_order_id" ON "request_clocks" ("supervision_order_id");

CREATE INDEX "ix_request_clocks_unit_id_status" ON "request_clocks" ("unit_id", "status");

CREATE INDEX "ix_notifications_next_attempt_at" ON "notifications" ("next_attempt_at") WHERE status = 'Pending';

CREATE INDEX "ix_notifications_request_id" ON "notifications" ("request_id");

CREATE INDEX "ix_notifications_unit_id_id" ON "notifications" ("unit_id", "id");

CREATE INDEX "ix_notifications_user_id_id" ON "notifications" ("user_id", "id");

CREATE INDEX "ix_extension_requests_clock_id" ON "extension_requests" ("clock_id");

CREATE INDEX "ix_extension_requests_request_id" ON "extension_requests" ("request_id");

CREATE INDEX "ix_extension_requests_unit_id" ON "extension_requests" ("unit_id");

CREATE UNIQUE INDEX "ix_overdue_records_clock_id" ON "overdue_records" ("clock_id");

CREATE INDEX "ix_overdue_records_request_id" ON "overdue_records" ("request_id");

CREATE INDEX "ix_overdue_records_unit_id_recorded_at" ON "overdue_records" ("unit_id", "recorded_at");

CREATE UNIQUE INDEX "ix_reminders_clock_id_level" ON "reminders" ("clock_id", "level");

CREATE INDEX "ix_reminders_request_id" ON "reminders" ("request_id");

CREATE INDEX "ix_reminders_unit_id_at" ON "reminders" ("unit_id", "at");
