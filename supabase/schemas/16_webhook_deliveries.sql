-- Every webhook delivery applied, by GitHub's X-GitHub-Delivery GUID (a redelivery carries the same one), so each
-- is applied once. GitHub redelivers for at most three days; backfill_receive_webhook forgets ids after a week.
create table progressive_backfill.webhook_deliveries (
  delivery_id text primary key,
  event text not null,
  repository_id bigint references progressive_backfill.repositories (id) on delete set null,
  received_at timestamptz not null default now()
);
create index webhook_deliveries_received_at_idx on progressive_backfill.webhook_deliveries (received_at);

alter table progressive_backfill.webhook_deliveries enable row level security;
