"""Open data: published listings as Open Referral HSDS 3.

- `taxonomy`: our taxonomy's terms and stable ids; `listing`: a listing detached
  from the database; `hsds`: the records (pure mapping);
- `queries`: published listings, filtered and paged; `routes`: /api/v1/hsds/...;
  `export`: the `export-hsds` command.
"""
