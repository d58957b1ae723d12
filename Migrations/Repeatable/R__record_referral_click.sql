-- Repeatable (Migrations/Repeatable/): record_referral_click, both overloads, stated once. up runs this file
-- again, after every versioned script, whenever its text changes: change it here, never in a new versioned
-- script (a test holds that). The versioned scripts that defined or altered it (20250828170000,
-- 20250902610001, 20250902900001) stay: they are journaled, and on an empty database they still run first.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

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

CREATE OR REPLACE FUNCTION record_referral_click(p_code text, p_ip inet, p_user_agent text, p_referer text, p_visitor uuid, p_repeat_window interval)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_code text := upper(btrim(p_code));
    v_org uuid;
    v_id uuid;
    v_agent text := left(p_user_agent, 512);
    -- The caller's window, never more than a day: the cookie that names the visitor lives no longer.
    v_window interval := least(greatest(coalesce(p_repeat_window, interval '1 hour'), interval '0'), interval '1 day');
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
    ELSIF p_visitor IS NOT NULL THEN
        -- The same browser (its cookie) clicking this code again within the window clicked once, from any
        -- address (ix_referral_clicks_code finds the code's window); serialized per visitor and code.
        PERFORM pg_advisory_xact_lock(hashtextextended(v_id::text || p_visitor::text, 170));
        IF EXISTS (SELECT 1 FROM public.referral_clicks k
                   WHERE k.referral_code_id = v_id AND k.visitor_id = p_visitor
                     AND k.created_at > now() - v_window) THEN
            v_reason := 'repeat_visitor';
        END IF;
    END IF;

    IF v_reason IS NULL THEN
        INSERT INTO public.referral_clicks (organization_id, referral_code_id, ip, user_agent, referer, visitor_id)
        VALUES (v_org, v_id, p_ip, v_agent, left(p_referer, 2048), p_visitor);
    ELSE
        INSERT INTO public.referral_clicks_filtered (organization_id, referral_code_id, ip, user_agent, referer, reason, visitor_id)
        VALUES (v_org, v_id, p_ip, v_agent, left(p_referer, 2048), v_reason, p_visitor);
    END IF;
    RETURN true;
END
$$;
