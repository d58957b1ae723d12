-- Demo data, WS-047 review collection: weddings that already happened, a campaign per vendor,
-- requests in several states and a few collected reviews. Idempotent by fixed ids.
-- Try the couple's side with submit_review_by_token('demo-review-token-reid-sophie-daniel-000001', 5, 'Sophie Reid').
-- Ids: 0047EEEE-OOOO-4000-8000-NNNNNNNNNNNN (EEEE entity, OOOO organization).

INSERT INTO weddings (id, organization_id, couple_name, wedding_date, venue_name, primary_contact_email,
                      primary_contact_phone, status, created_by, created_at) VALUES
    ('00470001-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'Emma & James Carter',
     current_date - 40, 'St Mary''s Church, Oxford', 'emma.carter@example.test', '+44 7700 900101', 'completed',
     'a1111111-0000-4000-8000-000000000001', now() - interval '85 days'),
    ('00470001-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Sophie & Daniel Reid',
     current_date - 20, 'Hartwell House', 'sophie.reid@example.test', NULL, 'completed',
     'a1111111-0000-4000-8000-000000000002', now() - interval '80 days'),
    ('00470001-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'Priya & Arjun Shah',
     current_date - 30, 'Lakeside Manor', 'priya.shah@example.test', '+44 7700 900303', 'completed',
     'b2222222-0000-4000-8000-000000000001', now() - interval '88 days')
ON CONFLICT DO NOTHING;

INSERT INTO review_campaigns (id, organization_id, name, status, channels, send_delay_days, message_template,
                              target_platforms, created_by) VALUES
    ('00470002-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'Thank-you and review',
     'active', ARRAY['email', 'sms']::review_channel[], 14,
     'Hi {{couple}}, it was a joy to photograph your day. Would you share a few words about us?',
     ARRAY['wedsync', 'google']::text[], 'a1111111-0000-4000-8000-000000000001'),
    ('00470002-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'After your Lakeside day',
     'active', ARRAY['email', 'whatsapp']::review_channel[], 21,
     'Dear {{couple}}, thank you for celebrating at Lakeside Manor. How did we do?',
     ARRAY['wedsync', 'bridebook']::text[], 'b2222222-0000-4000-8000-000000000001'),
    ('00470002-2222-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', 'Anniversary check-in (draft)',
     'draft', ARRAY['email']::review_channel[], 365,
     'Happy first anniversary, {{couple}}!', ARRAY['wedsync']::text[], 'b2222222-0000-4000-8000-000000000001')
ON CONFLICT DO NOTHING;

INSERT INTO review_requests (id, organization_id, campaign_id, wedding_id, recipient_name, recipient_email,
                             recipient_phone, channels, status, scheduled_for, sent_at, opened_at, access_token) VALUES
    ('00470003-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
     '00470002-1111-4000-8000-000000000001', '00470001-1111-4000-8000-000000000001', 'Emma & James Carter',
     'emma.carter@example.test', '+44 7700 900101', ARRAY['email', 'sms']::review_channel[], 'sent',
     now() - interval '26 days', now() - interval '26 days', now() - interval '25 days',
     'demo-review-token-carter-emma-james-0000001'),
    ('00470003-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111',
     '00470002-1111-4000-8000-000000000001', '00470001-1111-4000-8000-000000000002', 'Sophie & Daniel Reid',
     'sophie.reid@example.test', NULL, ARRAY['email']::review_channel[], 'opened',
     now() - interval '6 days', now() - interval '6 days', now() - interval '5 days',
     'demo-review-token-reid-sophie-daniel-000001'),
    ('00470003-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222',
     '00470002-2222-4000-8000-000000000001', '00470001-2222-4000-8000-000000000001', 'Priya & Arjun Shah',
     'priya.shah@example.test', '+44 7700 900303', ARRAY['email', 'whatsapp']::review_channel[], 'sent',
     now() - interval '9 days', now() - interval '9 days', NULL,
     'demo-review-token-shah-priya-arjun-0000001')
ON CONFLICT DO NOTHING;

-- The first review completes its request through the trigger, as a real submission would.
INSERT INTO collected_reviews (id, organization_id, review_request_id, wedding_id, rating, title, body, reviewer_name,
                               source_channel, platform, moderation_status, consent_to_publish, published_at,
                               submitted_at) VALUES
    ('00470004-1111-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
     '00470003-1111-4000-8000-000000000001', '00470001-1111-4000-8000-000000000001', 5,
     'Calm, kind and brilliant', 'Evergreen kept the family photos moving and still caught every tear.',
     'Emma Carter', 'email', 'wedsync', 'approved', true, now() - interval '20 days', now() - interval '24 days'),
    ('00470004-1111-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', NULL, NULL, 4,
     'Lovely photos', 'Imported from Google.', 'Tom Avery', NULL, 'google', 'approved', true,
     now() - interval '60 days', now() - interval '61 days'),
    ('00470004-2222-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222',
     '00470003-2222-4000-8000-000000000001', '00470001-2222-4000-8000-000000000001', 5,
     'The lake at sunset!', 'Staff were wonderful from the first viewing to the last dance.',
     'Priya Shah', 'whatsapp', 'wedsync', 'pending', true, NULL, now() - interval '3 days')
ON CONFLICT DO NOTHING;
