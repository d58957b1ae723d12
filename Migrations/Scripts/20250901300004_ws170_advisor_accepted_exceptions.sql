-- Issue 15/16: the referral functions of 20250901300000..300003 as the advisor wants them. The
-- limit functions are SECURITY DEFINER and the request role may execute them, on purpose: the advisor
-- lists them as accepted with the reason (a line 'advisor: allow <check>: <reason>' in the comment).
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

COMMENT ON FUNCTION app.take_referral_limit(text, text, timestamptz, text) IS
    'Takes one unit of a referral limit (rule, subject, window) in the caller''s transaction; refuses with a check_violation named after the rule once the transaction-local limit setting is reached.
advisor: allow definer_function_executable: the insert triggers of referral_codes and referrals call it as the inserting request role, and the counters it updates (referral_limit_counters) are closed to that role; it counts and refuses, and returns nothing.';
COMMENT ON FUNCTION referral_create_signals(text, inet) IS
    'Fraud signals and limit counters of a new referral by the calling user (request.jwt.claims): counts and flags only. SECURITY DEFINER: platform-wide rules and index use that RLS would prevent. PL/pgSQL: one plan per session.
advisor: allow definer_function_executable: the platform-wide identity rules (self, circular, first touch by canonical mailbox) must see other organizations'' referrals, which RLS hides; it answers counts and flags about the caller''s own request only.';

-- The two helpers qualify every call with pg_catalog already; a fixed search_path makes that a rule
-- of the function rather than of its text (mutable_search_path, CatalogRulesTests). Neither is
-- inlinable as written (canonical_mailbox reads FROM a sub-select), so this costs no plan shape.
ALTER FUNCTION app.canonical_mailbox(text) SET search_path = pg_catalog;
ALTER FUNCTION app.client_network_key(inet) SET search_path = pg_catalog;
