-- MinHash signatures of requests and their band keys: the index that finds likely duplicates without a scan.

CREATE TABLE "request_signatures" (
    "request_id" INTEGER NOT NULL CONSTRAINT "pk_request_signatures" PRIMARY KEY,
    "signature" BLOB NOT NULL,
    CONSTRAINT "fk_request_signatures_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE TABLE "request_band_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_request_band_keys" PRIMARY KEY AUTOINCREMENT,
    "key" INTEGER NOT NULL,
    "request_id" INTEGER NOT NULL,
    CONSTRAINT "fk_request_band_keys_requests_request_id" FOREIGN KEY ("request_id") REFERENCES "requests" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_request_band_keys_key_request_id" ON "request_band_keys" ("key", "request_id");

CREATE INDEX "ix_request_band_keys_request_id" ON "request_band_keys" ("request_id");
