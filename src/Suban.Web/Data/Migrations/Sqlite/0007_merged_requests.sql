-- 并案: a request merged into another follows it.

ALTER TABLE "requests" ADD "master_request_id" INTEGER NULL REFERENCES "requests" ("id") ON DELETE RESTRICT;

CREATE INDEX "ix_requests_master_request_id" ON "requests" ("master_request_id");
