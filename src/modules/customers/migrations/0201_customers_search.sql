-- Staff search by e-mail prefix, and a key id with every ciphertext.
create index customers_email_prefix_idx on customers (lower(email) text_pattern_ops);
alter table customers
  add constraint customers_national_id_key_id_check
  check ((national_id_ciphertext is null) = (national_id_key_id is null));
