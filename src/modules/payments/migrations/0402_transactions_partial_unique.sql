-- A settlement transfer and a reversal are each unique to one transaction, but most transactions
-- have neither: the two unique constraints indexed a NULL for every row, two index entries
-- written per money movement for nothing. Partial unique indexes over the rows that have a value
-- enforce exactly the same (NULLs never conflicted) and serve the same lookups.
alter table transactions drop constraint transactions_settlement_transfer_id_key;
create unique index transactions_settlement_transfer_id_key on transactions (settlement_transfer_id)
  where settlement_transfer_id is not null;
alter table transactions drop constraint transactions_reverses_transaction_id_key;
create unique index transactions_reverses_transaction_id_key on transactions (reverses_transaction_id)
  where reverses_transaction_id is not null;
