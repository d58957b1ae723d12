-- WS-170 follow-up (issue 27): referral events on the signed webhook outbox, per organization. The
-- reward.* messages are written by referral_reward_apply; this script adds referral.created,
-- referral.flagged and referral.converted from triggers of referrals (every writer, in its transaction),
-- and the org admin's door to subscriptions, which are platform rows the request role cannot write.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION referral_payload(f public.referrals)
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT jsonb_build_object(
        'referralId', f.id, 'organizationId', f.organization_id, 'referrerUserId', f.referrer_user_id,
        'referrerType', f.referrer_type, 'referredEmail', f.referred_email, 'referredUserId', f.referred_user_id,
        'status', f.status, 'rewardType', f.reward_type, 'fraudScore', f.fraud_score, 'fraudReasons', to_jsonb(f.fraud_reasons),
        'flaggedForReview', f.flagged_for_review, 'createdAt', f.created_at, 'signedUpAt', f.signed_up_at, 'convertedAt', f.converted_at)
$$;

REVOKE ALL ON FUNCTION referral_payload(public.referrals) FROM PUBLIC;

-- Definer: the referral's writer (a tenant's request role, the service) cannot write the outbox itself.
CREATE OR REPLACE FUNCTION referrals_enqueue_webhooks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    -- Most organizations have no receiver: one index probe, then nothing to build.
    IF NOT EXISTS (SELECT 1 FROM public.referral_webhook_subscriptions s WHERE s.organization_id = NEW.organization_id) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM public.referral_webhook_enqueue(NEW.organization_id, 'referral.created', NEW.created_at, public.referral_payload(NEW));
    END IF;
    IF NEW.flagged_for_review AND (TG_OP = 'INSERT' OR NOT OLD.flagged_for_review) THEN
        PERFORM public.referral_webhook_enqueue(NEW.organization_id, 'referral.flagged', now(), public.referral_payload(NEW));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status = 'converted' AND OLD.status IS DISTINCT FROM 'converted' THEN
        PERFORM public.referral_webhook_enqueue(NEW.organization_id, 'referral.converted', coalesce(NEW.converted_at, now()), public.referral_payload(NEW));
    END IF;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION referrals_enqueue_webhooks() FROM PUBLIC;

DROP TRIGGER IF EXISTS referrals_enqueue_webhooks_insert ON referrals;
CREATE TRIGGER referrals_enqueue_webhooks_insert
    AFTER INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_enqueue_webhooks();
DROP TRIGGER IF EXISTS referrals_enqueue_webhooks_update ON referrals;
CREATE TRIGGER referrals_enqueue_webhooks_update
    AFTER UPDATE OF status, flagged_for_review ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_enqueue_webhooks();

-- The org admin's subscriptions: a webhook subscription of topic referrals bound to the caller's
-- organization. The secret is written, never read back (the API returns the one it sent).
CREATE OR REPLACE FUNCTION referral_webhook_subscribe(p_url text, p_secret text, p_event_types text[])
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_org uuid := app.current_organization_id();
    v_id uuid;
BEGIN
    IF v_org IS NULL OR NOT app.is_org_admin() THEN
        RAISE EXCEPTION 'referral webhooks are managed by an organization admin' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO public.webhook_subscriptions (topic, url, signing_secret, format, created_by)
    VALUES ('referrals', p_url, p_secret, 'standard', app.current_user_id())
    RETURNING id INTO v_id;
    INSERT INTO public.referral_webhook_subscriptions (subscription_id, organization_id, event_types)
    VALUES (v_id, v_org, p_event_types);
    RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION referral_webhook_subscriptions_list()
RETURNS TABLE (id uuid, url text, event_types text[], created_at timestamptz, paused_at timestamptz, consecutive_failures integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT s.id, s.url, f.event_types, s.created_at, s.paused_at, s.consecutive_failures
    FROM public.referral_webhook_subscriptions f
    JOIN public.webhook_subscriptions s ON s.id = f.subscription_id
    WHERE f.organization_id = app.current_organization_id() AND app.is_org_admin()
    ORDER BY s.created_at, s.id
$$;

CREATE OR REPLACE FUNCTION referral_webhook_unsubscribe(p_id uuid)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    DELETE FROM public.webhook_subscriptions s
    USING public.referral_webhook_subscriptions f
    WHERE s.id = p_id AND f.subscription_id = s.id
      AND f.organization_id = app.current_organization_id() AND app.is_org_admin();
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION referral_webhook_subscribe(text, text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_webhook_subscriptions_list() FROM PUBLIC;
REVOKE ALL ON FUNCTION referral_webhook_unsubscribe(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION referral_webhook_subscribe(text, text, text[]) TO wedsync_user;
GRANT EXECUTE ON FUNCTION referral_webhook_subscriptions_list() TO wedsync_user;
GRANT EXECUTE ON FUNCTION referral_webhook_unsubscribe(uuid) TO wedsync_user;

COMMENT ON FUNCTION referral_webhook_subscribe(text, text, text[]) IS
    'Subscribes a receiver to the caller''s organization''s referral and reward events (org admins).
advisor: allow definer_function_executable: webhook_subscriptions is a platform table the request role may not write; the function refuses any caller but an org admin and binds the subscription to the caller''s own organization.';
COMMENT ON FUNCTION referral_webhook_subscriptions_list() IS
    'The caller''s organization''s referral webhook subscriptions (org admins), without secrets.
advisor: allow definer_function_executable: webhook_subscriptions is readable by platform admins only; the function returns the caller''s own organization''s rows, to its admins, never the secret.';
COMMENT ON FUNCTION referral_webhook_unsubscribe(uuid) IS
    'Deletes one of the caller''s organization''s referral webhook subscriptions (org admins); false when there is none.
advisor: allow definer_function_executable: webhook_subscriptions is writable by platform admins only; the function deletes only a referral subscription of the caller''s own organization, for its admins.';
