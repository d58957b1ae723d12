-- Issue 22, kind 7: webhook and Slack bodies carried statement text unredacted, while the events
-- endpoints show it through monitoring_redact_json. Every outbox row is now redacted the same way when
-- it is written, whoever writes it (the event trigger, a severity raise, a future producer): the
-- payload through monitoring_redact_json, the chat summary by the same rule.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE OR REPLACE FUNCTION webhook_outbox_redact()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_data jsonb := NEW.payload #> '{data,eventData}';
BEGIN
    NEW.payload := monitoring_redact_json(NEW.payload);
    -- Summaries quote the event data as JSON text: quote the redacted data instead.
    IF v_data IS NOT NULL THEN
        NEW.summary := replace(NEW.summary, v_data::text, (NEW.payload #> '{data,eventData}')::text);
    END IF;
    -- Whatever still looks like a credential (a truncated quote, a producer's own wording) goes whole.
    IF monitoring_is_sensitive_text(NEW.summary) THEN
        NEW.summary := NEW.message_type || ' [REDACTED - SENSITIVE QUERY]';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION webhook_outbox_redact() IS
    'BEFORE INSERT/UPDATE trigger of webhook_outbox: payload through monitoring_redact_json and the summary by monitoring_is_sensitive_text, the redaction of every events endpoint.';

REVOKE ALL ON FUNCTION webhook_outbox_redact() FROM PUBLIC;

DROP TRIGGER IF EXISTS webhook_outbox_redact ON webhook_outbox;
CREATE TRIGGER webhook_outbox_redact
    BEFORE INSERT OR UPDATE OF payload, summary ON webhook_outbox
    FOR EACH ROW EXECUTE FUNCTION webhook_outbox_redact();

-- Rows written before this script: pending ones are still to be sent, settled ones are still read.
UPDATE webhook_outbox SET payload = payload;
