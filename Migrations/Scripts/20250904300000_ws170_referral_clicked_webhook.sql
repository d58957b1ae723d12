-- Issue 27: referral.clicked on the signed webhook outbox, aggregated rather than one message per
-- click: the sweep sends one message per referral per window with the clicks counted since its last
-- message and the total. referral_click_reports holds what each referral's receivers were last told.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- Receivers may choose referral.clicked; the old rows all satisfy the wider list (validated next script).
ALTER TABLE referral_webhook_subscriptions DROP CONSTRAINT IF EXISTS referral_webhook_subscriptions_event_types_check;
ALTER TABLE referral_webhook_subscriptions ADD CONSTRAINT referral_webhook_subscriptions_event_types_check CHECK (
    event_types IS NULL
    OR (cardinality(event_types) >= 1
        AND event_types <@ ARRAY['referral.created', 'referral.clicked', 'referral.converted', 'referral.flagged', 'reward.pending',
                                 'reward.approved', 'reward.fulfilled', 'reward.revoked', 'reward.clawed_back']::text[])) NOT VALID;

CREATE TABLE IF NOT EXISTS referral_click_reports (
    referral_code_id uuid PRIMARY KEY REFERENCES referral_codes (id) ON DELETE CASCADE,
    -- Counted clicks (referral_clicks rows) the last referral.clicked message included.
    reported_clicks bigint NOT NULL CHECK (reported_clicks >= 0),
    reported_at timestamptz NOT NULL
);

COMMENT ON TABLE referral_click_reports IS
    'Per referral code: how many counted clicks the organization''s receivers were told of by referral.clicked, and when (the sweep''s watermark).';

-- Platform bookkeeping of the sweep (the API's login writes it): platform admins read it, as the outbox.
ALTER TABLE referral_click_reports ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON referral_click_reports FROM PUBLIC;
DROP POLICY IF EXISTS referral_click_reports_platform_admin ON referral_click_reports;
CREATE POLICY referral_click_reports_platform_admin ON referral_click_reports FOR SELECT TO wedsync_user
    USING ((SELECT app.is_platform_admin()));
GRANT SELECT ON referral_click_reports TO wedsync_user;

-- The sweep: referrals with counted clicks in the last p_lookback whose organization has a receiver of
-- referral.clicked, not told within p_window. The report row is locked before the clicks are counted, so
-- two sweeps at once send one message and the count since the last one is never counted twice.
CREATE OR REPLACE FUNCTION referral_clicks_report(p_window interval, p_lookback interval, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_code uuid;
    v_referral public.referrals;
    v_reported bigint;
    v_reported_at timestamptz;
    v_clicks bigint;
    v_first timestamptz;
    v_last timestamptz;
    v_sent integer := 0;
BEGIN
    FOR v_code IN
        SELECT DISTINCT c.referral_code_id
        FROM public.referral_clicks c
        WHERE c.created_at > now() - p_lookback
          AND EXISTS (SELECT 1 FROM public.referral_webhook_subscriptions f
                      WHERE f.organization_id = c.organization_id
                        AND (f.event_types IS NULL OR 'referral.clicked' = ANY (f.event_types)))
          AND NOT EXISTS (SELECT 1 FROM public.referral_click_reports p
                          WHERE p.referral_code_id = c.referral_code_id AND p.reported_at > now() - p_window)
        LIMIT p_limit
    LOOP
        SELECT * INTO v_referral FROM public.referrals f WHERE f.referral_code_id = v_code ORDER BY f.created_at LIMIT 1;
        CONTINUE WHEN NOT FOUND;
        INSERT INTO public.referral_click_reports (referral_code_id, reported_clicks, reported_at)
        VALUES (v_code, 0, '-infinity')
        ON CONFLICT (referral_code_id) DO NOTHING;
        SELECT p.reported_clicks, p.reported_at INTO v_reported, v_reported_at
        FROM public.referral_click_reports p WHERE p.referral_code_id = v_code
        FOR UPDATE;
        CONTINUE WHEN v_reported_at > now() - p_window;
        SELECT count(*), min(c.created_at), max(c.created_at) INTO v_clicks, v_first, v_last
        FROM public.referral_clicks c WHERE c.referral_code_id = v_code;
        CONTINUE WHEN v_clicks <= v_reported;
        UPDATE public.referral_click_reports SET reported_clicks = v_clicks, reported_at = now() WHERE referral_code_id = v_code;
        PERFORM public.referral_webhook_enqueue(v_referral.organization_id, 'referral.clicked', now(),
            public.referral_payload(v_referral) || jsonb_build_object(
                'clicks', v_clicks - v_reported, 'totalClicks', v_clicks,
                'sinceLastReport', CASE WHEN v_reported_at = '-infinity' THEN NULL ELSE v_reported_at END,
                'firstClickAt', v_first, 'lastClickAt', v_last));
        v_sent := v_sent + 1;
    END LOOP;
    RETURN v_sent;
END
$$;

REVOKE ALL ON FUNCTION referral_clicks_report(interval, interval, integer) FROM PUBLIC;

COMMENT ON FUNCTION referral_clicks_report(interval, interval, integer) IS
    'The referral.clicked sweep (the API''s login): one message per referral per p_window with the clicks counted since the last one; returns how many were queued.';
