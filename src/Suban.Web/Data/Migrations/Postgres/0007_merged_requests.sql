-- 并案: a request merged into another follows it.

ALTER TABLE requests ADD master_request_id bigint NULL;

ALTER TABLE requests ADD CONSTRAINT fk_requests_requests_master_request_id FOREIGN KEY (master_request_id) REFERENCES requests (id) ON DELETE RESTRICT;

CREATE INDEX ix_requests_master_request_id ON requests (master_request_id);
