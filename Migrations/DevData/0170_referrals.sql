-- Development demo data for WS-170: referrers of both demo organizations spread over the
-- reward tiers, with shares, clicks, conversions, rewards and 30 days of viral metrics.
--   Evergreen Photography (1111...): Olivia gold (16 converted), Adam silver (6), Mia bronze (2)
--   Lakeside Manor Venue  (2222...): Lara viral_champion (52), Liam platinum (31)
-- Ids are fixed: literal for codes, md5 of a readable key for the generated rows, so every row
-- has the same id on every run and ON CONFLICT DO NOTHING makes the script re-runnable.
-- Times are relative to the first run and stay inside the last 30 days (one expired referral
-- lies 40 days back, as expiry requires).

INSERT INTO referral_codes (id, organization_id, user_id, code, created_at, expires_at, is_active) VALUES
    ('c1700000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'a1111111-0000-4000-8000-000000000001', 'OLIVIAGOLD', now() - interval '45 days', NULL, true),
    ('c1700000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'a1111111-0000-4000-8000-000000000002', 'ADAMSILVER', now() - interval '45 days', NULL, true),
    ('c1700000-0000-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', 'a1111111-0000-4000-8000-000000000003', 'MIABRONZE', now() - interval '45 days', now() + interval '60 days', true),
    ('c1700000-0000-4000-8000-000000000004', '22222222-2222-4222-8222-222222222222', 'b2222222-0000-4000-8000-000000000001', 'LARACHAMP', now() - interval '45 days', NULL, true),
    ('c1700000-0000-4000-8000-000000000005', '22222222-2222-4222-8222-222222222222', 'b2222222-0000-4000-8000-000000000002', 'LIAMPLAT', now() - interval '45 days', NULL, true),
    -- A deactivated code: /r/OLDPROMO must answer 404 and count nothing.
    ('c1700000-0000-4000-8000-000000000006', '22222222-2222-4222-8222-222222222222', 'b2222222-0000-4000-8000-000000000001', 'OLDPROMO', now() - interval '45 days', NULL, false)
ON CONFLICT DO NOTHING;

-- Referrals by referrer: n counts 1.. over converted, signed_up, pending, expired, rejected.
WITH spec (code_id, org_id, referrer, code, referrer_type, converted, signed_up, pending, expired, rejected, flagged) AS (
    VALUES
        ('c1700000-0000-4000-8000-000000000001'::uuid, '11111111-1111-4111-8111-111111111111'::uuid, 'a1111111-0000-4000-8000-000000000001'::uuid, 'OLIVIAGOLD', 'supplier', 16, 2, 2, 1, 0, false),
        ('c1700000-0000-4000-8000-000000000002'::uuid, '11111111-1111-4111-8111-111111111111'::uuid, 'a1111111-0000-4000-8000-000000000002'::uuid, 'ADAMSILVER', 'supplier', 6, 0, 1, 0, 1, false),
        ('c1700000-0000-4000-8000-000000000003'::uuid, '11111111-1111-4111-8111-111111111111'::uuid, 'a1111111-0000-4000-8000-000000000003'::uuid, 'MIABRONZE', 'couple', 2, 1, 1, 0, 0, true),
        ('c1700000-0000-4000-8000-000000000004'::uuid, '22222222-2222-4222-8222-222222222222'::uuid, 'b2222222-0000-4000-8000-000000000001'::uuid, 'LARACHAMP', 'supplier', 52, 0, 3, 0, 0, false),
        ('c1700000-0000-4000-8000-000000000005'::uuid, '22222222-2222-4222-8222-222222222222'::uuid, 'b2222222-0000-4000-8000-000000000002'::uuid, 'LIAMPLAT', 'supplier', 31, 1, 0, 0, 0, false)
), gen AS (
    SELECT s.*, g.n,
           CASE
               WHEN g.n <= s.converted THEN 'converted'
               WHEN g.n <= s.converted + s.signed_up THEN 'signed_up'
               WHEN g.n <= s.converted + s.signed_up + s.pending THEN 'pending'
               WHEN g.n <= s.converted + s.signed_up + s.pending + s.expired THEN 'expired'
               ELSE 'rejected'
           END AS status
    FROM spec s
    CROSS JOIN LATERAL generate_series(1, s.converted + s.signed_up + s.pending + s.expired + s.rejected) AS g (n)
), timed AS (
    SELECT gen.*,
           CASE gen.status
               WHEN 'converted' THEN now() - make_interval(days => 5 + (gen.n * 7) % 24, mins => gen.n)
               WHEN 'signed_up' THEN now() - make_interval(days => 3 + gen.n % 2, mins => gen.n)
               WHEN 'pending' THEN now() - make_interval(days => gen.n % 3, hours => 2, mins => gen.n)
               WHEN 'expired' THEN now() - interval '40 days'
               ELSE now() - interval '1 day'
           END AS created_at,
           -- The first pending referral of a "flagged" referrer scored between 0.7 and 0.8.
           (gen.flagged AND gen.status = 'pending' AND gen.n = gen.converted + gen.signed_up + 1) AS is_flagged
    FROM gen
)
INSERT INTO referrals
    (id, organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email, referred_user_id, status,
     reward_type, fraud_score, fraud_reasons, flagged_for_review, client_ip, created_at, signed_up_at, converted_at, expires_at)
SELECT md5('wedsync-demo-referral:' || t.code || ':' || t.n)::uuid,
       t.org_id, t.code_id, t.referrer, t.referrer_type,
       'guest-' || lower(t.code) || '-' || t.n || '@demo.test',
       CASE WHEN t.status IN ('signed_up', 'converted') THEN md5('wedsync-demo-user:' || t.code || ':' || t.n)::uuid END,
       t.status,
       (ARRAY['credit', 'discount', 'feature']::text[])[1 + t.n % 3],
       CASE WHEN t.status = 'rejected' THEN 0.85 WHEN t.is_flagged THEN 0.72 ELSE round(((t.n % 5) * 0.05)::numeric, 2) END,
       CASE WHEN t.status = 'rejected' THEN ARRAY['same_email_domain_as_referrer', 'ip_limit_exceeded']::text[]
            WHEN t.is_flagged THEN ARRAY['new_ip_many_referrals']::text[]
            ELSE ARRAY[]::text[] END,
       t.is_flagged,
       ('203.0.113.' || (1 + (t.n * 13) % 250))::inet,
       t.created_at,
       CASE WHEN t.status IN ('signed_up', 'converted') THEN t.created_at + interval '1 day' END,
       CASE WHEN t.status = 'converted' THEN t.created_at + interval '3 days' END,
       t.created_at + interval '30 days'
FROM timed t
ON CONFLICT DO NOTHING;

-- Conversion events: signed_up for every signed-up or converted referral, subscribed for converted ones.
INSERT INTO referral_conversions (id, organization_id, referral_id, event, occurred_at, created_at)
SELECT md5('wedsync-demo-conversion:' || r.id || ':' || e.event)::uuid,
       r.organization_id, r.id, e.event,
       CASE e.event WHEN 'signed_up' THEN r.signed_up_at ELSE r.converted_at END,
       CASE e.event WHEN 'signed_up' THEN r.signed_up_at ELSE r.converted_at END
FROM referrals r
CROSS JOIN (VALUES ('signed_up'), ('subscribed')) AS e (event)
WHERE r.referral_code_id IN ('c1700000-0000-4000-8000-000000000001', 'c1700000-0000-4000-8000-000000000002',
                             'c1700000-0000-4000-8000-000000000003', 'c1700000-0000-4000-8000-000000000004',
                             'c1700000-0000-4000-8000-000000000005')
  AND (r.status = 'converted' OR (r.status = 'signed_up' AND e.event = 'signed_up'))
ON CONFLICT DO NOTHING;

-- Double-sided rewards for each conversion, at the tier the referrer had reached before it
-- (so the champion's early rewards are bronze and the late ones viral_champion). Older rewards
-- are granted, the last three days' are pending, and one refunded subscription was revoked.
INSERT INTO referral_rewards
    (id, organization_id, referral_id, side, trigger, tier, amount_cents, currency, status,
     beneficiary_user_id, created_at, granted_at, revoked_at, expires_at)
SELECT md5('wedsync-demo-reward:' || c.referral_id || ':' || sd.side || ':' || c.event)::uuid,
       c.organization_id, c.referral_id, sd.side, c.event, t.tier,
       CASE
           WHEN sd.side = 'referrer' AND c.event = 'signed_up' THEN t.referrer_signup_cents
           WHEN sd.side = 'referrer' THEN t.referrer_subscription_cents
           WHEN c.event = 'signed_up' THEN t.referee_signup_cents
           ELSE t.referee_subscription_cents
       END,
       t.currency,
       CASE
           WHEN r.id = md5('wedsync-demo-referral:MIABRONZE:1')::uuid AND sd.side = 'referee' AND c.event = 'subscribed' THEN 'revoked'
           WHEN c.occurred_at < now() - interval '3 days' THEN 'granted'
           ELSE 'pending'
       END,
       CASE sd.side WHEN 'referrer' THEN r.referrer_user_id ELSE r.referred_user_id END,
       c.occurred_at,
       CASE WHEN c.occurred_at < now() - interval '3 days'
                 OR (r.id = md5('wedsync-demo-referral:MIABRONZE:1')::uuid AND sd.side = 'referee' AND c.event = 'subscribed')
            THEN c.occurred_at + interval '1 hour' END,
       CASE WHEN r.id = md5('wedsync-demo-referral:MIABRONZE:1')::uuid AND sd.side = 'referee' AND c.event = 'subscribed'
            THEN c.occurred_at + interval '2 days' END,
       c.occurred_at + interval '1 year'
FROM referral_conversions c
JOIN referrals r ON r.id = c.referral_id
CROSS JOIN (VALUES ('referrer'), ('referee')) AS sd (side)
CROSS JOIN LATERAL referral_tier_for((
    SELECT count(*)::integer
    FROM referrals prior
    WHERE prior.organization_id = r.organization_id
      AND prior.referrer_user_id = r.referrer_user_id
      AND prior.converted_at < c.occurred_at)) AS t
WHERE r.referral_code_id IN ('c1700000-0000-4000-8000-000000000001', 'c1700000-0000-4000-8000-000000000002',
                             'c1700000-0000-4000-8000-000000000003', 'c1700000-0000-4000-8000-000000000004',
                             'c1700000-0000-4000-8000-000000000005')
ON CONFLICT DO NOTHING;

-- Shares: a dozen per active code over the last 30 days, across every share type.
INSERT INTO referral_share_events (id, organization_id, referral_code_id, user_id, share_type, platform, created_at)
SELECT md5('wedsync-demo-share:' || c.code || ':' || g.n)::uuid,
       c.organization_id, c.id, c.user_id,
       (ARRAY['email', 'social', 'link', 'qr_code', 'social']::text[])[1 + g.n % 5],
       (ARRAY['gmail', 'instagram', 'website', 'wedding-fair-flyer', 'whatsapp']::text[])[1 + g.n % 5],
       now() - make_interval(days => (g.n * 5) % 29, hours => g.n)
FROM referral_codes c
CROSS JOIN generate_series(1, 12) AS g (n)
WHERE c.id IN ('c1700000-0000-4000-8000-000000000001', 'c1700000-0000-4000-8000-000000000002',
               'c1700000-0000-4000-8000-000000000003', 'c1700000-0000-4000-8000-000000000004',
               'c1700000-0000-4000-8000-000000000005')
ON CONFLICT DO NOTHING;

-- Clicks: three dozen per active code (what /r/{code} records through record_referral_click).
INSERT INTO referral_clicks (id, organization_id, referral_code_id, ip, user_agent, referer, created_at)
SELECT md5('wedsync-demo-click:' || c.code || ':' || g.n)::uuid,
       c.organization_id, c.id,
       ('198.51.100.' || (1 + (g.n * 17) % 250))::inet,
       (ARRAY['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'Mozilla/5.0 (Linux; Android 14)']::text[])[1 + g.n % 3],
       (ARRAY['https://www.instagram.com/', 'https://mail.google.com/', NULL, 'https://wa.me/']::text[])[1 + g.n % 4],
       now() - make_interval(days => (g.n * 3) % 29, hours => g.n % 24, mins => g.n)
FROM referral_codes c
CROSS JOIN generate_series(1, 36) AS g (n)
WHERE c.id IN ('c1700000-0000-4000-8000-000000000001', 'c1700000-0000-4000-8000-000000000002',
               'c1700000-0000-4000-8000-000000000003', 'c1700000-0000-4000-8000-000000000004',
               'c1700000-0000-4000-8000-000000000005')
ON CONFLICT DO NOTHING;

-- Daily metrics are derived, not invented: recompute the last 30 days from the rows above
-- (an upsert, so running it again converges to the same numbers).
SELECT refresh_viral_metrics(o.id, current_date - 29, current_date)
FROM organizations o
WHERE o.id IN ('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222');
