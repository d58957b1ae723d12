-- Repeatable (Migrations/Repeatable/): the referrals trigger function referrals_before_write(), stated once.
-- up runs this file again, after every versioned script, whenever its text changes: change it here, never in
-- a new versioned script (a test holds that). The versioned scripts that defined or altered it
-- (20250828170000, 20250901300000) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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
