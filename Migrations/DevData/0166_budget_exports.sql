-- Demo data, WS-166 budget exports: budgets for the upcoming weddings of 0153, a finished export
-- to download and a queued one for a worker to claim with claim_budget_export_job('dev-worker').
-- Ids: 0166EEEE-OOOO-4000-8000-NNNNNNNNNNNN (EEEE entity, OOOO organization).

INSERT INTO budget_items (id, organization_id, wedding_id, category, description, vendor_name, planned_cents,
                          actual_cents, paid_cents, currency, due_date, created_by) VALUES
    ('01660001-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'venue', 'Orangery hire, ceremony and breakfast', 'Blenheim Orangery', 1200000, 1250000, 500000, 'GBP',
     current_date + 15, 'a1111111-0000-4000-8000-000000000001'),
    ('01660001-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'photography', 'Full-day photography', 'Evergreen Photography', 240000, 240000, 60000, 'GBP',
     current_date + 30, 'a1111111-0000-4000-8000-000000000001'),
    ('01660001-1111-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'flowers', 'Bouquets and table centres', 'Wild Bloom', 95000, 0, 0, 'GBP',
     current_date + 40, 'a1111111-0000-4000-8000-000000000001'),
    ('01660001-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01530001-2222-4000-8000-000000000001',
     'venue', 'Exclusive use, Saturday', 'Lakeside Manor', 1800000, 1800000, 900000, 'GBP',
     current_date + 30, 'b2222222-0000-4000-8000-000000000001'),
    ('01660001-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', '01530001-2222-4000-8000-000000000001',
     'catering', 'Wedding breakfast for 110', 'Lakeside Kitchen', 880000, 0, 0, 'GBP',
     current_date + 45, 'b2222222-0000-4000-8000-000000000001')
ON CONFLICT DO NOTHING;

-- Completed exports are inserted as finished; only 'queued' ones are enqueued by the trigger.
INSERT INTO budget_exports (id, organization_id, wedding_id, requested_by, format, filters, status, file_path, file_name,
                            file_size_bytes, item_count, total_planned_cents, total_actual_cents, currency,
                            completed_at, expires_at) VALUES
    ('01660002-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'a1111111-0000-4000-8000-000000000001', 'csv', '{}'::jsonb, 'completed',
     'exports/11111111-1111-4111-8111-111111111111/01660002-1111-4000-8000-000000000001.csv', 'bennett-budget.csv',
     1873, 3, 1535000, 1490000, 'GBP', now() - interval '1 day', now() + interval '6 days'),
    ('01660002-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01530001-1111-4000-8000-000000000001',
     'a1111111-0000-4000-8000-000000000002', 'pdf', '{"categories": ["venue", "flowers"], "include_paid": true}'::jsonb,
     'queued', NULL, NULL, NULL, NULL, NULL, NULL, 'GBP', NULL, NULL),
    ('01660002-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01530001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000001', 'excel', '{}'::jsonb, 'queued',
     NULL, NULL, NULL, NULL, NULL, NULL, 'GBP', NULL, NULL)
ON CONFLICT DO NOTHING;

-- The finished export's job, as a worker would have left it.
INSERT INTO budget_export_queue (id, organization_id, export_id, status, attempts, locked_by, finished_at,
                                 created_at) VALUES
    ('01660003-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
     '01660002-1111-4000-8000-000000000001', 'done', 1, 'demo-worker', now() - interval '1 day',
     now() - interval '1 day')
ON CONFLICT DO NOTHING;
