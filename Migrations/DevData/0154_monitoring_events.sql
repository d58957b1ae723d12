-- Development demo data for WS-154: a short history of monitoring events, some resolved and
-- some still open, so the dashboard, the summary and the event list have something to show.
-- Fixed ids and ON CONFLICT DO NOTHING make it safe to run again; times are relative to the
-- first run. user_id is the demo platform operator (ops@wedsync.test).
INSERT INTO monitoring_events
    (id, event_type, severity, event_data, created_at, user_id, source_ip, user_agent, resolved_at, resolution_notes, condition_key)
VALUES
    ('e1540000-0000-4000-8000-000000000001', 'slow_query', 'medium',
     '{"durationMs": 2350, "query": "SELECT ... FROM referrals WHERE organization_id = $1 ORDER BY created_at", "database": "wedsync"}',
     now() - interval '6 days', 'c3333333-0000-4000-8000-000000000001', '10.0.0.12', 'WedSync.Monitoring sampler',
     now() - interval '6 days' + interval '40 minutes', 'Added ix_referrals_org_created; the listing now takes 4 ms.', NULL),
    ('e1540000-0000-4000-8000-000000000002', 'connection_issue', 'high',
     '{"utilizationPct": 86.0, "connections": 86, "maxConnections": 100}',
     now() - interval '4 days', 'c3333333-0000-4000-8000-000000000001', '10.0.0.12', 'WedSync.Monitoring sampler',
     now() - interval '4 days' + interval '15 minutes', 'API pool size lowered from 50 to 20 per instance.', NULL),
    ('e1540000-0000-4000-8000-000000000003', 'table_health', 'low',
     '{"table": "public.referral_clicks", "deadPct": 27.5, "deadTuples": 4120}',
     now() - interval '2 days', NULL, NULL, 'WedSync.Monitoring sampler',
     now() - interval '1 day', 'Autovacuum caught up after the Saturday peak.', NULL),
    -- Open events: one critical and one high, so the summary shows penalties and recommendations.
    ('e1540000-0000-4000-8000-000000000004', 'rls_violation', 'critical',
     '{"table": "public.legacy_import", "riskLevel": "HIGH", "detail": "row-level security is off"}',
     now() - interval '3 hours', NULL, NULL, 'WedSync.Monitoring sampler',
     NULL, NULL, 'rls:public.legacy_import'),
    ('e1540000-0000-4000-8000-000000000005', 'performance_alert', 'high',
     '{"metric": "p95LatencyMs", "value": 850, "threshold": 500, "endpoint": "GET /api/referrals/leaderboard"}',
     now() - interval '45 minutes', 'c3333333-0000-4000-8000-000000000001', '198.51.100.7', 'Mozilla/5.0 (ops dashboard)',
     NULL, NULL, 'latency:GET /api/referrals/leaderboard'),
    ('e1540000-0000-4000-8000-000000000006', 'slow_query', 'low',
     '{"durationMs": 180, "query": "[REDACTED - SENSITIVE QUERY]"}',
     now() - interval '20 minutes', NULL, NULL, 'WedSync.Monitoring sampler',
     NULL, NULL, NULL)
ON CONFLICT DO NOTHING;
