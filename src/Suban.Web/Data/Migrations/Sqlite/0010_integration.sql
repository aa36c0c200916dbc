-- Generated from the EF model with `dotnet run --project src/Suban.Web -- schema`, then reviewed.
-- Integration: webhook subscriptions and their deliveries (an outbox, sent in order per request), department
-- systems with their keys and their own case ids, and bulk imports with every rejected row.

CREATE TABLE "import_jobs" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_import_jobs" PRIMARY KEY AUTOINCREMENT,
    "file_name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "dry_run" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL,
    "imported" INTEGER NOT NULL,
    "rejected" INTEGER NOT NULL,
    "error" TEXT NULL,
    "user_id" TEXT NULL,
    "started_at" TEXT NOT NULL,
    "finished_at" TEXT NULL
);

CREATE TABLE "import_rejections" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_import_rejections" PRIMARY KEY AUTOINCREMENT,
    "job_id" INTEGER NOT NULL,
    "row_no" INTEGER NOT NULL,
    "field" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    CONSTRAINT "fk_import_rejections_import_jobs_job_id" FOREIGN KEY ("job_id") REFERENCES "import_jobs" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_import_rejections_job_id_row_no" ON "import_rejections" ("job_id", "row_no");

CREATE TABLE "webhook_subscriptions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_webhook_subscriptions" PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "is_active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_webhook_subscriptions_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE INDEX "ix_webhook_subscriptions_unit_id" ON "webhook_subscriptions" ("unit_id");

CREATE TABLE "department_systems" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_department_systems" PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "api_key_hash" TEXT NOT NULL,
    "is_active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_department_systems_asp_net_users_user_id" FOREIGN KEY ("user_id") REFERENCES "asp_net_users" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_department_systems_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "units" ("id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "ix_department_systems_api_key_hash" ON "department_systems" ("api_key_hash");

CREATE INDEX "ix_department_systems_unit_id" ON "department_systems" ("unit_id");

CREATE INDEX "ix_department_systems_user_id" ON "department_systems" ("user_id");

CREATE TABLE "webhook_deliveries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY AUTOINCREMENT,
    "subscription_id" INTEGER NOT NULL,
    "request_id" INTEGER NULL,
    "event" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "next_attempt_at" TEXT NOT NULL,
    "claimed_by" TEXT NULL,
    "claimed_until" TEXT NULL,
    "sent_at" TEXT NULL,
    "last_status_code" INTEGER NULL,
    "last_error" TEXT NULL,
    CONSTRAINT "fk_webhook_deliveries_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_webhook_deliveries_webhook_subscriptions_subscription_id" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_webhook_deliveries_next_attempt_at" ON "webhook_deliveries" ("next_attempt_at") WHERE status = 'Pending';

CREATE INDEX "ix_webhook_deliveries_request_id" ON "webhook_deliveries" ("request_id");

CREATE INDEX "ix_webhook_deliveries_subscription_id_request_id_id" ON "webhook_deliveries" ("subscription_id", "request_id", "id");

CREATE TABLE "external_cases" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_external_cases" PRIMARY KEY AUTOINCREMENT,
    "system_id" INTEGER NOT NULL,
    "request_id" INTEGER NOT NULL,
    "external_id" TEXT NOT NULL,
    "linked_at" TEXT NOT NULL,
    CONSTRAINT "fk_external_cases_department_systems_system_id" FOREIGN KEY ("system_id") REFERENCES "department_systems" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_external_cases_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_external_cases_request_id" ON "external_cases" ("request_id");

CREATE UNIQUE INDEX "ix_external_cases_system_id_external_id" ON "external_cases" ("system_id", "external_id");

CREATE UNIQUE INDEX "ix_external_cases_system_id_request_id" ON "external_cases" ("system_id", "request_id");
