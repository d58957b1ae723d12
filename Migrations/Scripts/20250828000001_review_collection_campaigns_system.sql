-- WS-047 Review collection: after the wedding, a campaign asks the couple for a review over the
-- channels they use, and the reviews they leave are collected for moderation and publishing.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

-- CREATE TYPE has no IF NOT EXISTS; the guard keeps a second run harmless.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typname = 'review_channel' AND n.nspname = 'public'
    ) THEN
        CREATE TYPE public.review_channel AS ENUM ('email', 'sms', 'whatsapp');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS review_campaigns (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'archived')),
    channels review_channel[] NOT NULL DEFAULT ARRAY['email']::review_channel[]
        CHECK (cardinality(channels) BETWEEN 1 AND 3),
    -- Couples answer best once the honeymoon is over, so the default waits two weeks.
    send_delay_days smallint NOT NULL DEFAULT 14 CHECK (send_delay_days BETWEEN 0 AND 365),
    reminder_interval_days smallint NOT NULL DEFAULT 7 CHECK (reminder_interval_days BETWEEN 1 AND 60),
    max_reminders smallint NOT NULL DEFAULT 2 CHECK (max_reminders BETWEEN 0 AND 5),
    subject text CHECK (subject IS NULL OR length(subject) <= 200),
    message_template text NOT NULL CHECK (length(btrim(message_template)) BETWEEN 1 AND 5000),
    target_platforms text[] NOT NULL DEFAULT ARRAY['wedsync']::text[] CHECK (
        cardinality(target_platforms) >= 1
        AND target_platforms <@ ARRAY['wedsync', 'google', 'facebook', 'weddingwire', 'the_knot', 'bridebook']::text[]
    ),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_review_campaigns_id_organization_id UNIQUE (id, organization_id)
);

CREATE TABLE IF NOT EXISTS review_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    campaign_id uuid NOT NULL,
    wedding_id uuid NOT NULL,
    recipient_name text NOT NULL CHECK (length(btrim(recipient_name)) BETWEEN 1 AND 200),
    recipient_email text CHECK (recipient_email IS NULL OR position('@' IN recipient_email) > 1),
    recipient_phone text CHECK (recipient_phone IS NULL OR recipient_phone ~ '^\+?[0-9 ()-]{6,20}$'),
    channels review_channel[] NOT NULL DEFAULT ARRAY['email']::review_channel[]
        CHECK (cardinality(channels) BETWEEN 1 AND 3),
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN (
        'scheduled', 'sent', 'opened', 'completed', 'declined', 'expired', 'failed', 'cancelled')),
    scheduled_for timestamptz NOT NULL,
    sent_at timestamptz,
    opened_at timestamptz,
    completed_at timestamptz,
    reminders_sent smallint NOT NULL DEFAULT 0 CHECK (reminders_sent BETWEEN 0 AND 5),
    last_reminded_at timestamptz,
    -- The couple has no account: this unguessable token (244 random bits) is their permission to review.
    access_token text NOT NULL DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
        CHECK (length(access_token) BETWEEN 32 AND 128),
    last_error text CHECK (last_error IS NULL OR length(last_error) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- A channel is only usable with the contact detail it sends to.
    CONSTRAINT ck_review_requests_email_contact CHECK (
        NOT (channels @> ARRAY['email']::review_channel[]) OR recipient_email IS NOT NULL),
    CONSTRAINT ck_review_requests_phone_contact CHECK (
        NOT (channels && ARRAY['sms', 'whatsapp']::review_channel[]) OR recipient_phone IS NOT NULL),
    CONSTRAINT ck_review_requests_completed CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    CONSTRAINT fk_review_requests_campaign FOREIGN KEY (campaign_id, organization_id)
        REFERENCES review_campaigns (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT fk_review_requests_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT uq_review_requests_id_organization_id UNIQUE (id, organization_id)
);

CREATE TABLE IF NOT EXISTS collected_reviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Both nullable: reviews imported from other platforms have no request, and a review outlives
    -- the request or wedding record it came from.
    review_request_id uuid,
    wedding_id uuid,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title text CHECK (title IS NULL OR length(title) <= 200),
    body text CHECK (body IS NULL OR length(body) <= 5000),
    reviewer_name text NOT NULL CHECK (length(btrim(reviewer_name)) BETWEEN 1 AND 200),
    source_channel review_channel,
    platform text NOT NULL DEFAULT 'wedsync'
        CHECK (platform IN ('wedsync', 'google', 'facebook', 'weddingwire', 'the_knot', 'bridebook')),
    moderation_status text NOT NULL DEFAULT 'pending' CHECK (moderation_status IN ('pending', 'approved', 'rejected')),
    consent_to_publish boolean NOT NULL DEFAULT false,
    published_at timestamptz,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Publishing needs both the vendor's approval and the couple's consent.
    CONSTRAINT ck_collected_reviews_publishable CHECK (
        published_at IS NULL OR (moderation_status = 'approved' AND consent_to_publish)),
    CONSTRAINT fk_collected_reviews_request FOREIGN KEY (review_request_id, organization_id)
        REFERENCES review_requests (id, organization_id) ON DELETE SET NULL (review_request_id),
    CONSTRAINT fk_collected_reviews_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE SET NULL (wedding_id)
);

CREATE INDEX IF NOT EXISTS ix_review_campaigns_organization_id_status ON review_campaigns (organization_id, status);

CREATE INDEX IF NOT EXISTS ix_review_requests_organization_id_status ON review_requests (organization_id, status);
-- Unique as well: one request per couple per campaign, so a re-run scheduler can't spam them.
CREATE UNIQUE INDEX IF NOT EXISTS ix_review_requests_campaign_id_wedding_id_organization_id
    ON review_requests (campaign_id, wedding_id, organization_id);
CREATE INDEX IF NOT EXISTS ix_review_requests_wedding_id_organization_id ON review_requests (wedding_id, organization_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_review_requests_access_token_organization_id
    ON review_requests (access_token, organization_id);
-- The sender's due list.
CREATE INDEX IF NOT EXISTS ix_review_requests_scheduled_for ON review_requests (scheduled_for) WHERE status = 'scheduled';

CREATE INDEX IF NOT EXISTS ix_collected_reviews_organization_id_submitted_at ON collected_reviews (organization_id, submitted_at);
-- Unique as well: one review per request (NULLs, the imported reviews, don't collide).
CREATE UNIQUE INDEX IF NOT EXISTS ix_collected_reviews_review_request_id_organization_id
    ON collected_reviews (review_request_id, organization_id);
CREATE INDEX IF NOT EXISTS ix_collected_reviews_wedding_id_organization_id ON collected_reviews (wedding_id, organization_id);

DROP TRIGGER IF EXISTS trg_review_campaigns_updated_at ON review_campaigns;
CREATE TRIGGER trg_review_campaigns_updated_at BEFORE UPDATE ON review_campaigns
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_review_requests_updated_at ON review_requests;
CREATE TRIGGER trg_review_requests_updated_at BEFORE UPDATE ON review_requests
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_collected_reviews_updated_at ON collected_reviews;
CREATE TRIGGER trg_collected_reviews_updated_at BEFORE UPDATE ON collected_reviews
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- A review closes its request, so no reminder chases a couple who already answered.
CREATE OR REPLACE FUNCTION collected_reviews_complete_request() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.review_request_id IS NOT NULL THEN
        UPDATE review_requests r
        SET status = 'completed', completed_at = NEW.submitted_at
        WHERE r.id = NEW.review_request_id
          AND r.organization_id = NEW.organization_id
          AND r.status <> 'completed';
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS trg_collected_reviews_complete_request ON collected_reviews;
CREATE TRIGGER trg_collected_reviews_complete_request AFTER INSERT ON collected_reviews
    FOR EACH ROW EXECUTE FUNCTION collected_reviews_complete_request();

-- Creates the requests of an active campaign for weddings of the last 180 days (older couples
-- are not asked), over the campaign's channels that the couple has contact details for.
-- Safe to run daily: existing requests are left alone.
CREATE OR REPLACE FUNCTION schedule_review_requests(p_campaign_id uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, public
AS $$
DECLARE
    c review_campaigns;
    created integer;
BEGIN
    SELECT * INTO c FROM review_campaigns WHERE id = p_campaign_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'review campaign % not found', p_campaign_id USING ERRCODE = 'no_data_found';
    END IF;
    IF c.status <> 'active' THEN
        RETURN 0;
    END IF;

    INSERT INTO review_requests (organization_id, campaign_id, wedding_id, recipient_name, recipient_email,
                                 recipient_phone, channels, scheduled_for)
    SELECT w.organization_id, c.id, w.id, w.couple_name, w.primary_contact_email, w.primary_contact_phone,
           usable.channels,
           greatest(now(), ((w.wedding_date + c.send_delay_days) + time '10:00') AT TIME ZONE w.timezone)
    FROM weddings w
    CROSS JOIN LATERAL (
        SELECT ARRAY(
            SELECT ch
            FROM unnest(c.channels) AS ch
            WHERE (ch = 'email'::review_channel AND w.primary_contact_email IS NOT NULL)
               OR (ch = ANY (ARRAY['sms', 'whatsapp']::review_channel[]) AND w.primary_contact_phone IS NOT NULL)
        )::review_channel[] AS channels
    ) usable
    WHERE w.organization_id = c.organization_id
      AND w.status <> 'cancelled'
      AND w.wedding_date <= current_date
      AND w.wedding_date >= current_date - 180
      AND cardinality(usable.channels) > 0
    ON CONFLICT (campaign_id, wedding_id, organization_id) DO NOTHING;

    GET DIAGNOSTICS created = ROW_COUNT;
    RETURN created;
END
$$;

-- The couple's review form posts here with only the token from their link. SECURITY DEFINER,
-- deliberately: the couple has no account, so no tenant claim can open the request under RLS;
-- the token is the capability, and the function writes only the review of that one request.
CREATE OR REPLACE FUNCTION submit_review_by_token(
    p_access_token text,
    p_rating integer,
    p_reviewer_name text,
    p_title text DEFAULT NULL,
    p_body text DEFAULT NULL,
    p_consent_to_publish boolean DEFAULT false,
    p_source_channel review_channel DEFAULT NULL
) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    req public.review_requests;
    review_id uuid;
BEGIN
    SELECT * INTO req FROM public.review_requests r WHERE r.access_token = p_access_token FOR UPDATE;
    -- One message for every refusal, so the answer doesn't reveal which tokens exist.
    IF NOT FOUND OR req.status NOT IN ('sent', 'opened') OR req.sent_at < now() - interval '90 days' THEN
        RAISE EXCEPTION 'this review link is not valid any more' USING ERRCODE = 'no_data_found';
    END IF;

    INSERT INTO public.collected_reviews (organization_id, review_request_id, wedding_id, rating, title, body,
                                          reviewer_name, source_channel, consent_to_publish)
    VALUES (req.organization_id, req.id, req.wedding_id, p_rating, p_title, p_body,
            p_reviewer_name, p_source_channel, coalesce(p_consent_to_publish, false))
    RETURNING id INTO review_id;
    RETURN review_id;
END
$$;

-- Campaign results for the vendor's dashboard; security_invoker so the caller's RLS applies.
CREATE OR REPLACE VIEW review_campaign_stats WITH (security_invoker = true) AS
SELECT c.organization_id,
       c.id AS campaign_id,
       c.name,
       c.status,
       count(r.id) AS requests_total,
       count(r.id) FILTER (WHERE r.sent_at IS NOT NULL) AS requests_sent,
       count(r.id) FILTER (WHERE r.status = 'completed') AS reviews_received,
       round(100.0 * count(r.id) FILTER (WHERE r.status = 'completed')
             / nullif(count(r.id) FILTER (WHERE r.sent_at IS NOT NULL), 0), 1) AS response_rate_percent,
       (SELECT round(avg(v.rating), 2)
        FROM collected_reviews v
        JOIN review_requests rr ON rr.id = v.review_request_id AND rr.organization_id = v.organization_id
        WHERE rr.campaign_id = c.id AND rr.organization_id = c.organization_id) AS average_rating
FROM review_campaigns c
LEFT JOIN review_requests r ON r.campaign_id = c.id AND r.organization_id = c.organization_id
GROUP BY c.organization_id, c.id, c.name, c.status;

ALTER TABLE review_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE collected_reviews ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS review_campaigns_tenant_isolation ON review_campaigns;
CREATE POLICY review_campaigns_tenant_isolation ON review_campaigns FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS review_requests_tenant_isolation ON review_requests;
CREATE POLICY review_requests_tenant_isolation ON review_requests FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS collected_reviews_tenant_isolation ON collected_reviews;
CREATE POLICY collected_reviews_tenant_isolation ON collected_reviews FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON review_campaigns TO wedsync_user;
-- No DELETE: a request is cancelled, so the couple's link answers "not valid" instead of vanishing.
GRANT SELECT, INSERT, UPDATE ON review_requests TO wedsync_user;
-- No DELETE: reviews are hidden by moderation; erasure requests go through the owner.
GRANT SELECT, INSERT, UPDATE ON collected_reviews TO wedsync_user;
GRANT SELECT ON review_campaign_stats TO wedsync_user;

REVOKE EXECUTE ON FUNCTION collected_reviews_complete_request() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION schedule_review_requests(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION submit_review_by_token(text, integer, text, text, text, boolean, review_channel) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION schedule_review_requests(uuid) TO wedsync_user;
GRANT EXECUTE ON FUNCTION submit_review_by_token(text, integer, text, text, text, boolean, review_channel) TO wedsync_user;
