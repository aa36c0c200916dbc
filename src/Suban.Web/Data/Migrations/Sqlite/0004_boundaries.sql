-- Boundaries a city imports as GeoJSON, per level (district, street); the newest import of a level is in use.

CREATE TABLE "boundary_imports" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_boundary_imports" PRIMARY KEY AUTOINCREMENT,
    "level" TEXT NOT NULL,
    "geo_json" TEXT NOT NULL,
    "imported_at" TEXT NOT NULL
);

CREATE INDEX "ix_boundary_imports_level_id" ON "boundary_imports" ("level", "id");
