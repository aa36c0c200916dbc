-- The category threshold: a request whose matter is uncertain but whose category is not goes to its district platform.

ALTER TABLE routing_models ADD category_threshold double precision NOT NULL DEFAULT 1;
