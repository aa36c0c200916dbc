-- Generated from the EF model with `dotnet run --project src/Suban.Web -- schema`, then reviewed.
-- Open311: partner apps that may post requests (only a hash of each api_key is kept); the media URL a partner
-- sends with a request.

ALTER TABLE "requests" ADD "media_url" TEXT NULL;

CREATE TABLE "partner_apps" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_partner_apps" PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "api_key_hash" TEXT NOT NULL,
    "is_active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL
);

CREATE UNIQUE INDEX "ix_partner_apps_api_key_hash" ON "partner_apps" ("api_key_hash");
