-- Referral data set for the WS-170 benchmarks, on a migrated database, run as the owner (superuser,
-- so RLS does not apply and the request role's grants do not matter).
--
--   psql -v orgs=100 -v users_per_org=100 -v load_users_per_org=200 -v referrals=1000000 -f referrals.sql
--
-- * :orgs organizations (slug bench-org-NNN) with :users_per_org people each (user 0 OWNER, 1 ADMIN,
--   the rest MEMBER) who made the history, and :load_users_per_org MEMBERs without any referral
--   whom the POST load test uses (the per-user limits of SCHEMA.md start empty for them).
--   Every profile was created 90 days ago, so every referrer passes the 7-day account-age rule.
-- * :referrals referrals spread evenly over the organizations and skewed over their people (a few
--   power referrers, a long tail), created over the last 90 days with more on recent days. Each has
--   its own 8-character code, as POST /api/referrals creates one per referral.
-- * Status mix: 2 % rejected (fraud score > 0.8), 10 % converted, 14 % signed up, the rest pending;
--   open referrals older than 30 days are expired (the expiry sweep's end state), 3 % are flagged.
--   Rows are inserted directly in their final state: trg_referrals_before_write only checks status
--   moves on UPDATE, and the CHECKs (signed_up_at / converted_at present) are satisfied here.
-- * Shares (0-2 per code), clicks (0-3 per code, at least one for each signup), a conversion row per
--   signup and per subscription, two rewards (referrer, referee) per conversion at the referrer's
--   tier, and viral_metrics for every organization and day through refresh_viral_metrics().
-- Ids are derived from md5 of a name, so user ids (JWT subjects) are the same in every run.

\set ON_ERROR_STOP on
\timing on
SELECT clock_timestamp() AS started_at \gset

-- ---------------------------------------------------------------------------------------------
-- People
-- ---------------------------------------------------------------------------------------------
INSERT INTO organizations (id, name, slug, created_at, updated_at)
SELECT md5('bench-org-' || o)::uuid, 'Bench Weddings ' || o, 'bench-org-' || lpad(o::text, 3, '0'),
       now() - interval '120 days', now() - interval '120 days'
FROM generate_series(1, :orgs) AS o;

INSERT INTO user_profiles (user_id, organization_id, role, email, display_name, created_at, updated_at)
SELECT md5('bench-user-' || o || '-' || k)::uuid,
       md5('bench-org-' || o)::uuid,
       CASE k WHEN 0 THEN 'OWNER' WHEN 1 THEN 'ADMIN' ELSE 'MEMBER' END,
       'user-' || o || '-' || k || '@bench-org-' || o || '.test',
       'Bench user ' || o || '/' || k,
       now() - interval '90 days', now() - interval '90 days'
FROM generate_series(1, :orgs) AS o
CROSS JOIN generate_series(0, :users_per_org - 1) AS k;

INSERT INTO user_profiles (user_id, organization_id, role, email, display_name, created_at, updated_at)
SELECT md5('bench-load-' || o || '-' || k)::uuid,
       md5('bench-org-' || o)::uuid,
       'MEMBER',
       'load-' || o || '-' || k || '@bench-org-' || o || '.test',
       'Load user ' || o || '/' || k,
       now() - interval '90 days', now() - interval '90 days'
FROM generate_series(1, :orgs) AS o
CROSS JOIN generate_series(0, :load_users_per_org - 1) AS k;

-- ---------------------------------------------------------------------------------------------
-- Staging: one row per referral with every random choice made once
-- ---------------------------------------------------------------------------------------------
-- 8 base-36 digits of n (n < 36^8), upper case: the alphabet and length of real codes.
CREATE FUNCTION pg_temp.base36_8(n bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT substr(a, (n / 78364164096 % 36)::int + 1, 1) || substr(a, (n / 2176782336 % 36)::int + 1, 1)
        || substr(a, (n / 60466176 % 36)::int + 1, 1) || substr(a, (n / 1679616 % 36)::int + 1, 1)
        || substr(a, (n / 46656 % 36)::int + 1, 1) || substr(a, (n / 1296 % 36)::int + 1, 1)
        || substr(a, (n / 36 % 36)::int + 1, 1) || substr(a, (n % 36)::int + 1, 1)
    FROM (SELECT '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'::text AS a) alphabet
$$;

DROP TABLE IF EXISTS bench_referral_staging;
CREATE UNLOGGED TABLE bench_referral_staging AS
WITH draw AS (
    SELECT i,
           1 + (i % :orgs) AS o,
           -- power(u, 1.5): user 0 gets ~5 % of an organization's referrals, the median user ~1 %.
           least(floor(:users_per_org * power(random(), 1.5))::int, :users_per_org - 1) AS k,
           -- 1 h .. 90 days old; 1 - sqrt(u) puts more referrals on recent days (a growing loop).
           now() - make_interval(secs => 3600 + (90 * 86400 - 7200) * (1 - sqrt(random()))) AS created_at,
           random() AS u_status, random() AS u_signup, random() AS u_convert, random() AS u_flag,
           random() AS u_type, random() AS u_shares, random() AS u_clicks
    FROM generate_series(1, :referrals) AS g (i)
), outcome AS (
    SELECT d.*,
           least(now(), d.created_at + interval '30 days') AS window_end,
           CASE WHEN d.u_status < 0.02 THEN 'rejected'
                WHEN d.u_status < 0.12 THEN 'converted'
                WHEN d.u_status < 0.26 THEN 'signed_up'
                ELSE 'pending' END AS outcome
    FROM draw d
), timed AS (
    SELECT o.*,
           CASE WHEN o.outcome = 'converted'
                    THEN o.created_at + (o.window_end - o.created_at) * (0.6 * o.u_signup * o.u_signup)
                WHEN o.outcome = 'signed_up'
                    THEN o.created_at + (o.window_end - o.created_at) * (o.u_signup * o.u_signup) END AS signed_up_at
    FROM outcome o
)
SELECT t.i, t.o, t.k,
       md5('bench-org-' || t.o)::uuid AS organization_id,
       md5('bench-user-' || t.o || '-' || t.k)::uuid AS referrer_user_id,
       md5('bench-code-' || t.i)::uuid AS code_id,
       md5('bench-referral-' || t.i)::uuid AS referral_id,
       -- i * a prime coprime to 36, modulo 36^8: distinct codes that do not look sequential.
       pg_temp.base36_8((t.i::bigint * 1000003 + 7777777) % 2821109907456) AS code,
       t.created_at,
       CASE WHEN t.outcome IN ('pending', 'signed_up') AND t.created_at < now() - interval '30 days' THEN 'expired'
            ELSE t.outcome END AS status,
       t.signed_up_at,
       CASE WHEN t.outcome = 'converted'
            THEN t.signed_up_at + (t.window_end - t.signed_up_at) * t.u_convert END AS converted_at,
       CASE WHEN t.signed_up_at IS NOT NULL THEN md5('bench-referred-' || t.i)::uuid END AS referred_user_id,
       t.outcome = 'rejected' AS rejected,
       t.outcome <> 'rejected' AND t.u_flag < 0.03 AS flagged,
       t.u_flag, t.u_type, t.u_shares,
       floor(t.u_shares * 2.4)::int AS shares,
       CASE WHEN t.signed_up_at IS NOT NULL THEN 1 + floor(t.u_clicks * 3)::int ELSE floor(t.u_clicks * 1.6)::int END AS clicks
FROM timed t;

CREATE INDEX ON bench_referral_staging (i);
ANALYZE bench_referral_staging;

-- ---------------------------------------------------------------------------------------------
-- Codes and referrals
-- ---------------------------------------------------------------------------------------------
INSERT INTO referral_codes (id, organization_id, user_id, code, created_at, is_active)
SELECT s.code_id, s.organization_id, s.referrer_user_id, s.code, s.created_at, true
FROM bench_referral_staging s
ORDER BY s.i;

INSERT INTO referrals (id, organization_id, referral_code_id, referrer_user_id, referrer_type, referred_email,
                       referred_user_id, status, reward_type, fraud_score, fraud_reasons, flagged_for_review,
                       client_ip, created_at, signed_up_at, converted_at, expires_at)
SELECT s.referral_id, s.organization_id, s.code_id, s.referrer_user_id,
       CASE WHEN s.u_type < 0.8 THEN 'supplier' ELSE 'couple' END,
       'guest-' || s.i || '@referred.bench.test',
       s.referred_user_id,
       s.status,
       CASE WHEN s.i % 10 < 6 THEN 'credit' WHEN s.i % 10 < 9 THEN 'discount' ELSE 'feature' END,
       CASE WHEN s.rejected THEN round((0.81 + 0.19 * s.u_flag)::numeric, 2)
            WHEN s.flagged THEN round((0.71 + 0.09 * s.u_flag / 0.03)::numeric, 2)
            ELSE 0 END,
       CASE WHEN s.rejected THEN CASE WHEN s.u_flag < 0.5 THEN ARRAY['ip_daily_limit', 'referrer_daily_limit']
                                      ELSE ARRAY['circular_referral'] END
            WHEN s.flagged THEN ARRAY['ip_daily_limit']
            ELSE ARRAY[]::text[] END,
       s.flagged,
       ('10.' || (s.i % 250) || '.' || (s.i / 250 % 250) || '.' || (s.i / 62500 % 250 + 1))::inet,
       s.created_at, s.signed_up_at, s.converted_at,
       s.created_at + interval '30 days'
FROM bench_referral_staging s
ORDER BY s.i;

-- ---------------------------------------------------------------------------------------------
-- Shares and clicks
-- ---------------------------------------------------------------------------------------------
INSERT INTO referral_share_events (organization_id, referral_code_id, user_id, share_type, platform, created_at)
SELECT s.organization_id, s.code_id, s.referrer_user_id,
       (ARRAY['link', 'link', 'social', 'social', 'email', 'qr_code'])[1 + (s.i + n) % 6],
       CASE (ARRAY['link', 'link', 'social', 'social', 'email', 'qr_code'])[1 + (s.i + n) % 6]
            WHEN 'social' THEN (ARRAY['whatsapp', 'instagram', 'facebook', 'pinterest'])[1 + (s.i / 7 + n) % 4]
            WHEN 'email' THEN 'gmail' END,
       s.created_at + least(now() - s.created_at, interval '3 days') * ((n + s.u_shares) / 3.0)
FROM bench_referral_staging s
CROSS JOIN LATERAL generate_series(1, s.shares) AS n;

INSERT INTO referral_clicks (organization_id, referral_code_id, ip, user_agent, referer, created_at)
SELECT s.organization_id, s.code_id,
       ('172.16.' || (s.i % 250) || '.' || (n * 37 % 250 + 1))::inet,
       'Mozilla/5.0 (bench)',
       CASE WHEN n % 2 = 0 THEN 'https://instagram.com/' END,
       -- Before the signup when there is one (the click led to it).
       s.created_at + (coalesce(s.signed_up_at, least(now(), s.created_at + interval '5 days')) - s.created_at)
                      * (n / (s.clicks + 1.0))
FROM bench_referral_staging s
CROSS JOIN LATERAL generate_series(1, s.clicks) AS n;

-- ---------------------------------------------------------------------------------------------
-- Conversions and rewards
-- ---------------------------------------------------------------------------------------------
INSERT INTO referral_conversions (organization_id, referral_id, event, occurred_at, created_at)
SELECT s.organization_id, s.referral_id, 'signed_up', s.signed_up_at, s.signed_up_at
FROM bench_referral_staging s
WHERE s.signed_up_at IS NOT NULL
UNION ALL
SELECT s.organization_id, s.referral_id, 'subscribed', s.converted_at, s.converted_at
FROM bench_referral_staging s
WHERE s.converted_at IS NOT NULL;

-- The tier of a referrer by their converted referrals (today's count stands in for the count at
-- the time of each conversion: the amounts differ, the row shapes and volumes do not).
-- As history recorded before the reward ledger: without the per-row ledger triggers (each reward's
-- ledger entries, webhook and decision in PL/pgSQL made this one statement take over 40 minutes), then
-- the ledger written in bulk as 20250902800000 backfilled it.
SET session_replication_role = replica;
INSERT INTO referral_rewards (organization_id, referral_id, side, trigger, tier, amount_cents, currency, status,
                              beneficiary_user_id, created_at, granted_at, revoked_at, expires_at)
SELECT c.organization_id, c.referral_id, side.name, c.event, t.tier,
       CASE WHEN side.name = 'referrer' AND c.event = 'signed_up' THEN t.referrer_signup_cents
            WHEN side.name = 'referrer' THEN t.referrer_subscription_cents
            WHEN c.event = 'signed_up' THEN t.referee_signup_cents
            ELSE t.referee_subscription_cents END,
       t.currency,
       CASE WHEN s.i % 100 = 0 THEN 'revoked'
            WHEN c.occurred_at < now() - interval '7 days' THEN 'granted'
            ELSE 'pending' END,
       CASE side.name WHEN 'referrer' THEN s.referrer_user_id ELSE s.referred_user_id END,
       c.occurred_at,
       CASE WHEN s.i % 100 <> 0 AND c.occurred_at < now() - interval '7 days' THEN c.occurred_at + interval '7 days' END,
       CASE WHEN s.i % 100 = 0 THEN c.occurred_at + interval '1 day' END,
       c.occurred_at + interval '365 days'
FROM referral_conversions c
JOIN bench_referral_staging s ON s.referral_id = c.referral_id
CROSS JOIN (VALUES ('referrer'), ('referee')) AS side (name)
JOIN (SELECT organization_id, referrer_user_id, count(*) FILTER (WHERE status = 'converted')::integer AS converted
      FROM bench_referral_staging GROUP BY 1, 2) rc
  ON rc.organization_id = s.organization_id AND rc.referrer_user_id = s.referrer_user_id
CROSS JOIN LATERAL referral_tier_for(rc.converted) AS t;
RESET session_replication_role;

INSERT INTO referral_reward_ledger (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                    pending_cents, owed_cents, paid_cents, currency, actor_role, reason, created_at)
SELECT r.organization_id, r.id, r.beneficiary_user_id, 'pending', NULL, r.amount_cents, 0, 0, r.currency, 'migration',
       'backfill: reward recorded before the ledger', r.created_at
FROM referral_rewards r;

INSERT INTO referral_reward_ledger (organization_id, reward_id, beneficiary_user_id, transition, from_state,
                                    pending_cents, owed_cents, paid_cents, currency, actor_role, reason, created_at)
SELECT r.organization_id, r.id, r.beneficiary_user_id,
       CASE r.status WHEN 'granted' THEN 'approved' ELSE 'revoked' END, 'pending',
       -r.amount_cents, CASE r.status WHEN 'granted' THEN r.amount_cents ELSE 0 END, 0, r.currency, 'migration',
       'backfill: status ' || r.status || ' before the ledger',
       coalesce(CASE r.status WHEN 'granted' THEN r.granted_at ELSE r.revoked_at END, r.created_at)
FROM referral_rewards r
WHERE r.status IN ('granted', 'revoked');

UPDATE referral_rewards r
SET state = CASE r.status WHEN 'granted' THEN 'approved' WHEN 'revoked' THEN 'revoked' ELSE 'pending' END,
    hold_until = r.created_at,
    wait_reason = CASE r.status WHEN 'granted' THEN 'awaiting_fulfilment' WHEN 'pending' THEN 'review_flagged' END,
    fulfilment_requested_at = CASE r.status WHEN 'granted' THEN r.granted_at END,
    reward_type = CASE f.reward_type WHEN 'feature' THEN 'free_month' ELSE f.reward_type END
FROM referrals f
WHERE f.id = r.referral_id;

-- ---------------------------------------------------------------------------------------------
-- Daily viral metrics, the way the scheduled job computes them
-- ---------------------------------------------------------------------------------------------
SELECT sum(refresh_viral_metrics(o.id, current_date - 90, current_date)) AS viral_metrics_rows
FROM organizations o
WHERE o.slug LIKE 'bench-org-%';

DROP TABLE bench_referral_staging;

\timing off
-- Steady state for the planner and index-only scans, as autovacuum would leave it.
VACUUM (ANALYZE) organizations, user_profiles, referral_codes, referrals, referral_share_events,
    referral_clicks, referral_conversions, referral_rewards, referral_reward_ledger, viral_metrics;

SELECT 'organizations' AS "table", count(*) AS "rows" FROM organizations
UNION ALL SELECT 'user_profiles', count(*) FROM user_profiles
UNION ALL SELECT 'referral_codes', count(*) FROM referral_codes
UNION ALL SELECT 'referrals', count(*) FROM referrals
UNION ALL SELECT 'referral_share_events', count(*) FROM referral_share_events
UNION ALL SELECT 'referral_clicks', count(*) FROM referral_clicks
UNION ALL SELECT 'referral_conversions', count(*) FROM referral_conversions
UNION ALL SELECT 'referral_rewards', count(*) FROM referral_rewards
UNION ALL SELECT 'viral_metrics', count(*) FROM viral_metrics;

SELECT status, count(*) AS referrals, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM referrals GROUP BY status ORDER BY 2 DESC;

SELECT round(extract(epoch FROM clock_timestamp() - :'started_at'::timestamptz), 1) AS seconds_taken;
