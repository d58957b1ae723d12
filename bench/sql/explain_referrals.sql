-- EXPLAIN (ANALYZE, BUFFERS) of the referral reads and the create path's checks, for profiling.
-- Run as the request role with the claims of one referrer (-v user_id=...), inside a transaction
-- that is rolled back (refresh_viral_metrics writes). The queries are the bench's approximations
-- of what the endpoints need; compare them with the API's own SQL once it lands.

\set ON_ERROR_STOP on
BEGIN;
SET LOCAL ROLE wedsync_user;
SELECT set_config('request.jwt.claims', json_build_object('sub', :'user_id', 'roles', json_build_array())::text, true) \g /dev/null
SELECT app.current_organization_id() AS org_id, app.current_role() AS org_role \gset
\echo organization :org_id, role :org_role, referrer :user_id

\echo ### stats: my referrals by status
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*) AS total,
       count(*) FILTER (WHERE status IN ('signed_up', 'converted')) AS successful,
       count(*) FILTER (WHERE status = 'converted') AS converted
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id()) AND referrer_user_id = app.current_user_id();

\echo ### stats: my referrals by status, RLS only (no organization_id condition in the query)
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*) AS total
FROM referrals
WHERE referrer_user_id = app.current_user_id();

\echo ### stats: my pending and earned rewards
EXPLAIN (ANALYZE, BUFFERS)
SELECT coalesce(sum(amount_cents) FILTER (WHERE status = 'pending'), 0) AS pending_cents,
       coalesce(sum(amount_cents) FILTER (WHERE status = 'granted'), 0) AS earned_cents
FROM referral_rewards
WHERE organization_id = (SELECT app.current_organization_id()) AND beneficiary_user_id = app.current_user_id();

\echo ### my referrals, newest first, page 1
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, referred_email, status, created_at
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id()) AND referrer_user_id = app.current_user_id()
ORDER BY created_at DESC
LIMIT 20;

\echo ### leaderboard: top 10 referrers of the organization, last 30 days
EXPLAIN (ANALYZE, BUFFERS)
SELECT referrer_user_id, count(*) FILTER (WHERE status = 'converted') AS converted, count(*) AS referrals
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= now() - interval '30 days'
GROUP BY referrer_user_id
ORDER BY converted DESC, referrals DESC
LIMIT 10;

\echo ### leaderboard: top 10 referrers of the organization, all time
EXPLAIN (ANALYZE, BUFFERS)
SELECT referrer_user_id, count(*) FILTER (WHERE status = 'converted') AS converted, count(*) AS referrals
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id())
GROUP BY referrer_user_id
ORDER BY converted DESC, referrals DESC
LIMIT 10;

\echo ### analytics: daily invites over 90 days
EXPLAIN (ANALYZE, BUFFERS)
SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS invites
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= now() - interval '90 days'
GROUP BY 1
ORDER BY 1;

\echo ### analytics: top share channels over 90 days
EXPLAIN (ANALYZE, BUFFERS)
SELECT share_type, platform, count(*) AS shares
FROM referral_share_events
WHERE organization_id = (SELECT app.current_organization_id()) AND created_at >= now() - interval '90 days'
GROUP BY 1, 2
ORDER BY 3 DESC
LIMIT 5;

\echo ### analytics: daily series from viral_metrics over 90 days
EXPLAIN (ANALYZE, BUFFERS)
SELECT metric_date, invites, users, signups, conversions, shares, clicks, k_factor
FROM viral_metrics
WHERE organization_id = (SELECT app.current_organization_id()) AND metric_date >= current_date - 90
ORDER BY metric_date;

\echo ### analytics: refresh_viral_metrics for the organization, 90 days (rolled back)
EXPLAIN (ANALYZE, BUFFERS)
SELECT refresh_viral_metrics(app.current_organization_id(), current_date - 90, current_date);

\echo ### create path: my referrals of the last day (10 per referrer per day)
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*)
FROM referrals
WHERE organization_id = (SELECT app.current_organization_id()) AND referrer_user_id = app.current_user_id()
  AND created_at >= now() - interval '1 day';

\echo ### create path: my codes of the last hour (10 codes per hour)
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*)
FROM referral_codes
WHERE organization_id = (SELECT app.current_organization_id()) AND user_id = app.current_user_id()
  AND created_at >= now() - interval '1 hour';

\echo ### create path: referrals from one client address in the last day (5 per IP per day)
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(*)
FROM referrals
WHERE client_ip = '10.1.2.3'::inet AND created_at > now() - interval '1 day';

\echo ### create path: already referred? lower(referred_email) under RLS (lower() is not leakproof)
EXPLAIN (ANALYZE, BUFFERS)
SELECT EXISTS (SELECT 1 FROM referrals r WHERE lower(r.referred_email) = 'guest-12345@referred.bench.test');

\echo ### create path: already referred? referred_email = (leakproof, but only lower(referred_email) is indexed)
EXPLAIN (ANALYZE, BUFFERS)
SELECT EXISTS (SELECT 1 FROM referrals r WHERE r.referred_email = 'guest-12345@referred.bench.test');

\echo ### create path: is the referred person a user? lower(email) on user_profiles under RLS
EXPLAIN (ANALYZE, BUFFERS)
SELECT u.user_id FROM user_profiles u WHERE lower(u.email) = 'user-1-5@bench-org-1.test' LIMIT 1;

-- The fraud signals and limit counters of POST /api/referrals: the definer function the API calls
-- (20250901300001; its inner plan shows with auto_explain, not here).
\echo ### create path: referral_create_signals (counters of the current windows, identity by mailbox)
EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM referral_create_signals('guest-new@load.bench.test', '100.64.0.1'::inet);

\echo ### create path: already referred? by canonical mailbox (unique index)
EXPLAIN (ANALYZE, BUFFERS)
SELECT EXISTS (SELECT 1 FROM referrals r WHERE r.referred_mailbox = app.canonical_mailbox('Guest-12345+x@referred.bench.test'));

\echo ### create path: circular referral check, 5 levels
EXPLAIN (ANALYZE, BUFFERS)
SELECT detect_circular_referral(app.current_user_id(), md5('bench-referred-1')::uuid, 5);

ROLLBACK;
