-- WS-170 follow-up (issue 24, kind 5): a click counts only when a person followed the link. Link-preview
-- crawlers (Slack, Facebook, X, WhatsApp, Google, LinkedIn, Discord, Telegram, Skype, Apple...) fetch every
-- shared link, and one visitor reloading or re-opening it clicked once. Those are kept in their own table
-- with the reason, so every reader of referral_clicks keeps counting only real clicks and the numbers
-- can still be explained.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS referral_clicks_filtered (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    referral_code_id uuid NOT NULL,
    ip inet,
    user_agent text CHECK (length(user_agent) <= 512),
    referer text CHECK (length(referer) <= 2048),
    reason text NOT NULL CHECK (reason IN ('link_preview', 'repeat_visitor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, referral_code_id) REFERENCES referral_codes (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_referral_clicks_filtered_code ON referral_clicks_filtered (referral_code_id, created_at);
CREATE INDEX IF NOT EXISTS ix_referral_clicks_filtered_org_created ON referral_clicks_filtered (organization_id, created_at);
COMMENT ON CONSTRAINT referral_clicks_filtered_organization_id_referral_code_id_fkey ON referral_clicks_filtered IS
    'advisor: allow unindexed_foreign_key: ix_referral_clicks_filtered_code leads with referral_code_id, which alone finds the children of one referral_codes row (its id is unique); the other key columns are compared on those rows.';

ALTER TABLE referral_clicks_filtered ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON referral_clicks_filtered FROM PUBLIC;
GRANT SELECT ON referral_clicks_filtered TO wedsync_user;
-- Written only through record_referral_click (definer); tenants read their own.
DROP POLICY IF EXISTS referral_clicks_filtered_tenant_select ON referral_clicks_filtered;
CREATE POLICY referral_clicks_filtered_tenant_select ON referral_clicks_filtered FOR SELECT TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()));

CREATE OR REPLACE FUNCTION record_referral_click(p_code text, p_ip inet, p_user_agent text, p_referer text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_code text := upper(btrim(p_code));
    v_org uuid;
    v_id uuid;
    v_agent text := left(p_user_agent, 512);
    v_reason text;
BEGIN
    IF v_code IS NULL OR v_code !~ '^[A-Z0-9]{4,20}$' THEN
        RETURN false;
    END IF;
    SELECT c.organization_id, c.id INTO v_org, v_id
    FROM public.referral_codes c
    WHERE c.code = v_code AND c.is_active AND (c.expires_at IS NULL OR c.expires_at > now());
    IF v_id IS NULL THEN
        RETURN false;
    END IF;

    IF v_agent ~* '(slackbot|slack-imgproxy|facebookexternalhit|facebot|twitterbot|whatsapp|googlebot|google-inspectiontool|linkedinbot|discordbot|telegrambot|skypeuripreview|applebot|pinterest|redditbot|embedly|iframely|vkshare|bingbot|bingpreview|microsoftpreview|yandexbot|duckduckbot|baiduspider|mastodon|bot\.html|crawler|spider|preview)' THEN
        v_reason := 'link_preview';
    ELSIF p_ip IS NOT NULL THEN
        -- One visitor (address and user agent) clicking again within the hour clicked once (ix_referral_clicks_code finds
        -- the code's last hour); serialized per visitor and code.
        PERFORM pg_advisory_xact_lock(hashtextextended(v_id::text || host(p_ip) || coalesce(v_agent, ''), 170));
        IF EXISTS (SELECT 1 FROM public.referral_clicks k
                   WHERE k.referral_code_id = v_id AND k.ip = p_ip AND k.user_agent IS NOT DISTINCT FROM v_agent
                     AND k.created_at > now() - interval '1 hour') THEN
            v_reason := 'repeat_visitor';
        END IF;
    END IF;

    IF v_reason IS NULL THEN
        INSERT INTO public.referral_clicks (organization_id, referral_code_id, ip, user_agent, referer)
        VALUES (v_org, v_id, p_ip, v_agent, left(p_referer, 2048));
    ELSE
        INSERT INTO public.referral_clicks_filtered (organization_id, referral_code_id, ip, user_agent, referer, reason)
        VALUES (v_org, v_id, p_ip, v_agent, left(p_referer, 2048), v_reason);
    END IF;
    RETURN true;
END
$$;
