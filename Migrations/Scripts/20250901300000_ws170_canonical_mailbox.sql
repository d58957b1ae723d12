-- WS-170 follow-up (issue 16): one person is one mailbox, however the address is written.
-- "member+friend@evergreen.test" reaches member@evergreen.test's inbox, and "f.r.i.e.n.d@gmail.com"
-- reaches friend@gmail.com's: compared as raw text, self-referral, circular-referral and
-- first-touch checks let such spellings through and a reward is paid twice.
-- The canonical mailbox is computed here, once, in the database that holds the constraint:
--   - trimmed and lower-cased (the whole address; providers treat local parts case-insensitively);
--   - a trailing dot of the domain dropped (example.com. is example.com);
--   - the sub-address tag dropped for every domain: the local part ends at its first '+' (a local
--     part that starts with '+' is kept whole);
--   - dots of the local part dropped only where the provider ignores them: gmail.com, and
--     googlemail.com, which is the same mailbox under gmail.com.
-- Internationalized domains reach the database in their ASCII (xn--) form: the API converts them
-- before anything compares them (README "Referral identities").
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- No SET search_path (it would keep the function from being inlined into the index expression);
-- every call is to pg_catalog, which comes first on any search_path.
CREATE OR REPLACE FUNCTION app.canonical_mailbox(p_email text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE
               WHEN parts.at_pos = 0 THEN parts.address
               ELSE (CASE WHEN parts.domain IN ('gmail.com', 'googlemail.com')
                          THEN pg_catalog.replace(parts.local_part, '.', '')
                          ELSE parts.local_part END)
                    || '@'
                    || (CASE WHEN parts.domain = 'googlemail.com' THEN 'gmail.com' ELSE parts.domain END)
           END
    FROM (
        SELECT s.address, s.at_pos,
               CASE WHEN pg_catalog.strpos(s.local_raw, '+') > 1
                    THEN pg_catalog.split_part(s.local_raw, '+', 1)
                    ELSE s.local_raw END AS local_part,
               pg_catalog.rtrim(s.domain_raw, '.') AS domain
        FROM (
            SELECT a.address, a.at_pos,
                   pg_catalog.left(a.address, greatest(a.at_pos - 1, 0)) AS local_raw,
                   pg_catalog.substr(a.address, a.at_pos + 1) AS domain_raw
            FROM (
                -- The last '@' separates the domain (a quoted local part may contain '@').
                SELECT x.address,
                       CASE WHEN pg_catalog.strpos(x.address, '@') = 0 THEN 0
                            ELSE pg_catalog.length(x.address) - pg_catalog.strpos(pg_catalog.reverse(x.address), '@') + 1 END AS at_pos
                FROM (SELECT pg_catalog.lower(pg_catalog.btrim(p_email)) AS address) x
            ) a
        ) s
    ) parts
$$;

COMMENT ON FUNCTION app.canonical_mailbox(text) IS
    'The mailbox an e-mail address delivers to: lower-cased, +tag dropped for every domain, dots dropped for gmail.com/googlemail.com (googlemail.com -> gmail.com). The one definition every referral identity rule uses.';

REVOKE ALL ON FUNCTION app.canonical_mailbox(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.canonical_mailbox(text) TO wedsync_user;

-- The referred person's canonical mailbox, kept by the trigger below; NULL only on rows written
-- before this script that duplicate an earlier referral's mailbox (the first one keeps it, so the
-- unique index below holds and later attempts still meet the first touch).
ALTER TABLE referrals ADD COLUMN IF NOT EXISTS referred_mailbox text;

COMMENT ON COLUMN referrals.referred_mailbox IS
    'app.canonical_mailbox(referred_email), set by trg_referrals_before_write; unique: one person is referred once. NULL only on pre-existing duplicates of an earlier referral.';

-- Same rules as before (lower-cased e-mail, forward-only status), plus the canonical mailbox.
CREATE OR REPLACE FUNCTION referrals_before_write() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    NEW.referred_email := lower(btrim(NEW.referred_email));
    -- Only when the address is new or changes: an UPDATE of anything else keeps the stored value
    -- (pre-existing duplicates keep NULL instead of colliding with their first touch).
    IF TG_OP = 'INSERT' OR NEW.referred_email IS DISTINCT FROM OLD.referred_email THEN
        NEW.referred_mailbox := app.canonical_mailbox(NEW.referred_email);
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT ((OLD.status = 'pending' AND NEW.status IN ('signed_up', 'expired', 'rejected'))
             OR (OLD.status = 'signed_up' AND NEW.status IN ('converted', 'expired'))) THEN
            RAISE EXCEPTION 'referral % cannot move from status % to %', OLD.id, OLD.status, NEW.status
                USING ERRCODE = '23514',
                      HINT = 'Allowed: pending -> signed_up -> converted, pending|signed_up -> expired, pending -> rejected.';
        END IF;
    END IF;

    -- Stamp the milestone when the writer did not say when it happened.
    IF NEW.status IN ('signed_up', 'converted') AND NEW.signed_up_at IS NULL THEN
        NEW.signed_up_at := now();
    END IF;
    IF NEW.status = 'converted' AND NEW.converted_at IS NULL THEN
        NEW.converted_at := now();
    END IF;
    RETURN NEW;
END
$$;

-- Backfill: the earliest referral of each mailbox gets it; later duplicates stay NULL.
UPDATE referrals r
SET referred_mailbox = first_touch.mailbox
FROM (
    SELECT DISTINCT ON (app.canonical_mailbox(x.referred_email)) x.id, app.canonical_mailbox(x.referred_email) AS mailbox
    FROM referrals x
    ORDER BY app.canonical_mailbox(x.referred_email), x.created_at, x.id
) first_touch
WHERE r.id = first_touch.id AND r.referred_mailbox IS DISTINCT FROM first_touch.mailbox;

-- First touch wins across the platform, by mailbox (replaces the index on lower(referred_email),
-- which this one implies for every row that has a mailbox). Not CONCURRENTLY: the migrator runs each
-- script in one transaction, and the backfill above must be covered by the same one.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX IF NOT EXISTS ux_referrals_referred_mailbox ON referrals (referred_mailbox);
-- squawk-ignore require-concurrent-index-deletion
DROP INDEX IF EXISTS ux_referrals_referred_email;

-- Guards writers that bypass the trigger; NULL (pre-existing duplicates) passes. NOT VALID checks
-- every new and updated row; the existing rows were written by the backfill above from the same function.
ALTER TABLE referrals DROP CONSTRAINT IF EXISTS ck_referrals_referred_mailbox;
ALTER TABLE referrals ADD CONSTRAINT ck_referrals_referred_mailbox
    CHECK (referred_mailbox = app.canonical_mailbox(referred_email)) NOT VALID;

-- Self and circular referral find the referred person's account by mailbox (one transaction, as above).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS ix_user_profiles_canonical_mailbox ON user_profiles (app.canonical_mailbox(email));
