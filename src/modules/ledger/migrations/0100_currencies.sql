-- Currencies with their minor-unit exponent (ISO 4217). Amounts everywhere are integers in
-- these minor units: 1234.50 USD is 123450, 1000 JPY is 1000, 1.234 BHD is 1234.
create table currencies (
  code char(3) primary key check (code ~ '^[A-Z]{3}$'),
  exponent smallint not null check (exponent between 0 and 4),
  name text not null
);

insert into currencies (code, exponent, name) values
  ('USD', 2, 'US Dollar'),
  ('EUR', 2, 'Euro'),
  ('GBP', 2, 'Pound Sterling'),
  ('CHF', 2, 'Swiss Franc'),
  ('CAD', 2, 'Canadian Dollar'),
  ('JPY', 0, 'Yen'),
  ('BHD', 3, 'Bahraini Dinar'),
  ('KWD', 3, 'Kuwaiti Dinar');
