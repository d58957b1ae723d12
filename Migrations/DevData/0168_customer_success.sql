-- Demo data, WS-168 customer success: support history and two earlier health scores per demo
-- customer, then today's scores computed by the real scoring job, so the dashboard views show a
-- trend. Lakeside Manor has an urgent open ticket, so it appears in customer_health_at_risk.
-- Ids: 0168EEEE-OOOO-4000-8000-NNNNNNNNNNNN (EEEE entity, OOOO organization).

INSERT INTO support_interactions (id, organization_id, customer_user_id, agent_user_id, channel, interaction_type,
                                  subject, summary, priority, status, sentiment, satisfaction_rating, opened_at,
                                  first_response_at, resolved_at) VALUES
    ('01680001-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
     'a1111111-0000-4000-8000-000000000001', 'c3333333-0000-4000-8000-000000000001', 'video', 'onboarding',
     'Onboarding call', 'Walked through shot lists and conflict warnings.', 'normal', 'resolved', 'positive', 5,
     now() - interval '80 days', now() - interval '80 days', now() - interval '80 days' + interval '45 minutes'),
    ('01680001-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111',
     'a1111111-0000-4000-8000-000000000002', 'c3333333-0000-4000-8000-000000000001', 'in_app', 'feature_request',
     'Export shot list as PDF', 'Would like to hand the printed list to the second shooter.', 'low', 'open', 'neutral', NULL,
     now() - interval '6 days', now() - interval '5 days', NULL),
    ('01680001-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222',
     'b2222222-0000-4000-8000-000000000001', 'c3333333-0000-4000-8000-000000000001', 'phone', 'issue',
     'Budget PDF totals look wrong', 'Catering shows as unpaid although the deposit was recorded.', 'urgent', 'open',
     'negative', NULL, now() - interval '1 day', now() - interval '20 hours', NULL),
    ('01680001-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222',
     'b2222222-0000-4000-8000-000000000002', 'c3333333-0000-4000-8000-000000000001', 'chat', 'question',
     'How do I import a guest list?', 'Sent the CSV template.', 'normal', 'resolved', 'neutral', 3,
     now() - interval '4 days', now() - interval '4 days' + interval '2 hours', now() - interval '4 days' + interval '3 hours')
ON CONFLICT DO NOTHING;

-- A goal the success team set by hand; the scoring job below marks it achieved from the data
-- (Lakeside's campaign in 0047) and fills in the rest of the checklist.
INSERT INTO success_milestones (id, organization_id, milestone_key, status, target_date, points, notes) VALUES
    ('01680002-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'first_review_campaign_launched',
     'pending', current_date + 14, 10, 'Show review campaigns on the next check-in call.')
ON CONFLICT DO NOTHING;

INSERT INTO customer_health_scores (id, organization_id, score_date, overall_score, engagement_score, adoption_score,
                                    support_score, milestone_score, risk_level, trend, previous_score, factors,
                                    calculated_at) VALUES
    ('01680003-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', current_date - 60,
     64, 58, 60, 95, 50, 'medium', 'stable', NULL, '{"source": "demo"}'::jsonb, now() - interval '60 days'),
    ('01680003-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', current_date - 30,
     71, 67, 80, 90, 55, 'low', 'improving', 64, '{"source": "demo"}'::jsonb, now() - interval '30 days'),
    ('01680003-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', current_date - 60,
     55, 50, 40, 100, 40, 'medium', 'stable', NULL, '{"source": "demo"}'::jsonb, now() - interval '60 days'),
    ('01680003-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', current_date - 30,
     48, 42, 40, 85, 35, 'high', 'declining', 55, '{"source": "demo"}'::jsonb, now() - interval '30 days')
ON CONFLICT DO NOTHING;

-- Today's scores (and milestones) from the real job; recalculating the same day overwrites.
DO $$
BEGIN
    PERFORM recalculate_customer_health_scores(current_date);
END
$$;
