-- The key ring that protects sign-in cookies and form tokens, in the database every instance shares: a request that
-- lands on another instance than the one that signed the citizen in is still signed in.

CREATE TABLE "data_protection_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_data_protection_keys" PRIMARY KEY AUTOINCREMENT,
    "friendly_name" TEXT NULL,
    "xml" TEXT NULL
);
