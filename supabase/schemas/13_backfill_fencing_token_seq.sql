-- Fencing tokens are never reused, across chunks and repositories: a token identifies exactly one lease.
create sequence progressive_backfill.backfill_fencing_token_seq;
