-- The format of the national id's last four without a bounded repetition ({1,4}), which
-- PostgreSQL's regular-expression engine runs as that many copies of its states (ledger
-- migration 0114 has the rule; test/schema.test.ts checks it).
alter table customers
  drop constraint customers_national_id_last4_check,
  add constraint customers_national_id_last4_check
    check (length(national_id_last4) between 1 and 4 and national_id_last4 !~ '[^0-9A-Za-z]');
