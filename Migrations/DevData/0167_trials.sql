-- Demo data, WS-167 trials: Evergreen converted long ago; Lakeside Manor is five days into an
-- active professional trial, so its gates, e-mail journey, ROI and extend_trial can be tried.
-- Gates and future e-mails come from the trial's insert trigger, as in production.
-- Ids: 0167EEEE-OOOO-4000-8000-NNNNNNNNNNNN (EEEE entity, OOOO organization).

INSERT INTO trials (id, organization_id, plan_tier, status, business_type, started_at, ends_at, converted_at,
                    plan_price_cents, hourly_value_cents, currency, created_by) VALUES
    ('01670001-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'professional', 'converted',
     'photographer', now() - interval '88 days', now() - interval '74 days', now() - interval '78 days',
     4900, 7500, 'GBP', 'a1111111-0000-4000-8000-000000000001'),
    ('01670001-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'professional', 'active',
     'venue', now() - interval '5 days', now() + interval '9 days', NULL,
     4900, 6000, 'GBP', 'b2222222-0000-4000-8000-000000000001')
ON CONFLICT DO NOTHING;

-- E-mails already behind each trial (the trigger schedules only future ones).
INSERT INTO trial_email_schedule (id, organization_id, trial_id, template_key, scheduled_for, status,
                                  recipient_user_id, attempts, sent_at) VALUES
    ('01670002-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'welcome', now() - interval '88 days', 'sent', 'a1111111-0000-4000-8000-000000000001', 1, now() - interval '88 days'),
    ('01670002-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'conversion_thanks', now() - interval '78 days', 'sent', 'a1111111-0000-4000-8000-000000000001', 1, now() - interval '78 days'),
    ('01670002-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'welcome', now() - interval '5 days', 'sent', 'b2222222-0000-4000-8000-000000000001', 1, now() - interval '5 days'),
    ('01670002-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'getting_started', now() - interval '3 days', 'sent', 'b2222222-0000-4000-8000-000000000001', 1, now() - interval '3 days')
ON CONFLICT DO NOTHING;

INSERT INTO trial_activities (id, organization_id, trial_id, user_id, activity_type, feature_key, minutes_saved,
                              metadata, occurred_at) VALUES
    ('01670003-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'a1111111-0000-4000-8000-000000000001', 'feature_used', 'photo_groups', 40, '{}'::jsonb, now() - interval '86 days'),
    ('01670003-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'a1111111-0000-4000-8000-000000000002', 'feature_used', 'task_tracking', 25, '{}'::jsonb, now() - interval '84 days'),
    ('01670003-1111-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'a1111111-0000-4000-8000-000000000001', 'export', 'budget_exports', 30, '{"format": "csv"}'::jsonb, now() - interval '80 days'),
    ('01670003-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000001', 'login', NULL, 0, '{}'::jsonb, now() - interval '5 days'),
    ('01670003-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000001', 'import', 'client_management', 45, '{"guests": 112}'::jsonb, now() - interval '4 days'),
    ('01670003-2222-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000002', 'feature_used', 'photo_groups', 30, '{}'::jsonb, now() - interval '3 days'),
    ('01670003-2222-4000-8000-000000000004', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000002', 'feature_used', 'task_tracking', 20, '{}'::jsonb, now() - interval '2 days'),
    ('01670003-2222-4000-8000-000000000005', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'b2222222-0000-4000-8000-000000000001', 'feature_used', 'budget_exports', 15, '{}'::jsonb, now() - interval '1 day')
ON CONFLICT DO NOTHING;

INSERT INTO trial_milestones (id, organization_id, trial_id, milestone_type, achieved_at, value_impact, achieved_by) VALUES
    ('01670004-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'first_wedding_added', now() - interval '87 days', 6, 'a1111111-0000-4000-8000-000000000001'),
    ('01670004-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'first_task_completed', now() - interval '84 days', 7, 'a1111111-0000-4000-8000-000000000002'),
    ('01670004-1111-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', '01670001-1111-4000-8000-000000000001',
     'first_budget_export', now() - interval '80 days', 8, 'a1111111-0000-4000-8000-000000000001'),
    ('01670004-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'first_wedding_added', now() - interval '4 days', 6, 'b2222222-0000-4000-8000-000000000001'),
    ('01670004-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'guest_list_imported', now() - interval '4 days', 7, 'b2222222-0000-4000-8000-000000000001'),
    ('01670004-2222-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', '01670001-2222-4000-8000-000000000001',
     'first_photo_group_created', now() - interval '3 days', 8, 'b2222222-0000-4000-8000-000000000002')
ON CONFLICT DO NOTHING;

-- Two of the trial's ten budget exports used, matching the activity above.
UPDATE trial_feature_gates
SET usage_count = 2
WHERE trial_id = '01670001-2222-4000-8000-000000000001'
  AND organization_id = '22222222-2222-4222-8222-222222222222'
  AND feature_key = 'budget_exports'
  AND usage_count < 2;
