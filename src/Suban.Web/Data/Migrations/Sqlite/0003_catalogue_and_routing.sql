-- Generated from the EF model with `dotnet run --project src/Suban.Web -- schema`, then reviewed.
-- The responsibility list (versioned), its audit trail, routing models and corrections; where and what a request is.

ALTER TABLE "requests" ADD "matter_code" TEXT NULL;

ALTER TABLE "requests" ADD "catalogue_version" INTEGER NULL;

ALTER TABLE "requests" ADD "district_code" TEXT NULL;

ALTER TABLE "requests" ADD "street_code" TEXT NULL;

ALTER TABLE "requests" ADD "routing_outcome" TEXT NULL;

ALTER TABLE "requests" ADD "routing_model_version" INTEGER NULL;

ALTER TABLE "requests" ADD "routing_confidence" REAL NULL;

ALTER TABLE "requests" ADD "routing_suggestions" TEXT NULL;

ALTER TABLE "requests" ADD "matter_confirmed" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "audit_entries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_audit_entries" PRIMARY KEY AUTOINCREMENT,
    "at" TEXT NOT NULL,
    "user_id" TEXT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "detail" TEXT NULL
);

CREATE TABLE "catalogue_versions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_catalogue_versions" PRIMARY KEY AUTOINCREMENT,
    "number" INTEGER NOT NULL,
    "effective_at" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "created_by_user_id" TEXT NULL,
    "note" TEXT NULL
);

CREATE TABLE "routing_models" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_routing_models" PRIMARY KEY AUTOINCREMENT,
    "version" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "catalogue_version" INTEGER NOT NULL,
    "example_count" INTEGER NOT NULL,
    "correction_count" INTEGER NOT NULL,
    "threshold" REAL NOT NULL,
    "metrics" TEXT NULL,
    "content" BLOB NOT NULL
);

CREATE TABLE "catalogue_entries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_catalogue_entries" PRIMARY KEY AUTOINCREMENT,
    "version_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "sub_category" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "city_unit" TEXT NULL,
    "district_unit" TEXT NULL,
    "street_unit" INTEGER NOT NULL,
    "lead_level" TEXT NOT NULL,
    "territorial" INTEGER NOT NULL,
    "co_handling" TEXT NOT NULL,
    "limit_consultation" INTEGER NOT NULL,
    "limit_complaint" INTEGER NOT NULL,
    "limit_suggestion" INTEGER NOT NULL,
    "limit_help" INTEGER NOT NULL,
    "instant_answer" TEXT NULL,
    "keywords" TEXT NOT NULL,
    "examples" TEXT NOT NULL,
    "retired" INTEGER NOT NULL,
    "merged_into" TEXT NULL,
    CONSTRAINT "fk_catalogue_entries_catalogue_versions_version_id" FOREIGN KEY ("version_id") REFERENCES "catalogue_versions" ("id") ON DELETE CASCADE
);

CREATE TABLE "routing_corrections" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_routing_corrections" PRIMARY KEY AUTOINCREMENT,
    "request_id" INTEGER NOT NULL,
    "at" TEXT NOT NULL,
    "predicted_code" TEXT NULL,
    "chosen_code" TEXT NOT NULL,
    "user_id" TEXT NULL,
    CONSTRAINT "fk_routing_corrections_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_audit_entries_at" ON "audit_entries" ("at");

CREATE INDEX "ix_audit_entries_subject" ON "audit_entries" ("subject");

CREATE UNIQUE INDEX "ix_catalogue_entries_version_id_code" ON "catalogue_entries" ("version_id", "code");

CREATE INDEX "ix_catalogue_versions_effective_at" ON "catalogue_versions" ("effective_at");

CREATE UNIQUE INDEX "ix_catalogue_versions_number" ON "catalogue_versions" ("number");

CREATE INDEX "ix_requests_matter_code" ON "requests" ("matter_code");

CREATE INDEX "ix_routing_corrections_request_id" ON "routing_corrections" ("request_id");

CREATE UNIQUE INDEX "ix_routing_models_version" ON "routing_models" ("version");
