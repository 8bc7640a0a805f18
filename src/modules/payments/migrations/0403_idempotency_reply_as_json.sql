-- A stored reply is only ever replayed, never queried by its content: keep it as the JSON text it
-- was sent as (json: checked on the way in, stored as is) instead of parsing every reply into
-- jsonb, which was most of what storing the replies of a batch cost PostgreSQL
-- (docs/benchmarks.md, eighth round). A replay now also keeps the reply's key order, which jsonb
-- did not. Keys are deleted after IDEMPOTENCY_KEY_RETENTION_HOURS (a week by default), so the
-- table this rewrites stays small.
alter table idempotency_keys alter column response_body type json using response_body::json;
