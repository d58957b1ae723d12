-- WS-153 Photo groups: the photographer's shot list of guest groups for a wedding, and the
-- conflict check that stops one guest being needed in two places at once.
-- Weddings and their guests are created here because this is the first feature that needs them.

-- Fail fast instead of queueing live traffic behind a lock the migration is waiting for.
SET LOCAL lock_timeout = '10s';
SET LOCAL statement_timeout = '5min';

CREATE TABLE IF NOT EXISTS weddings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    couple_name text NOT NULL CHECK (length(btrim(couple_name)) BETWEEN 1 AND 200),
    wedding_date date NOT NULL,
    venue_name text CHECK (venue_name IS NULL OR length(venue_name) <= 200),
    -- Shot times are stored as timestamptz; the zone says how to show them to the couple.
    timezone text NOT NULL DEFAULT 'Europe/London' CHECK (length(timezone) BETWEEN 1 AND 64),
    -- The couple's contact: review requests (WS-047) go here after the day.
    primary_contact_email text CHECK (primary_contact_email IS NULL OR position('@' IN primary_contact_email) > 1),
    primary_contact_phone text CHECK (primary_contact_phone IS NULL OR primary_contact_phone ~ '^\+?[0-9 ()-]{6,20}$'),
    status text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'confirmed', 'completed', 'cancelled')),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Children reference (id, organization_id), so no row can point at another tenant's wedding.
    CONSTRAINT uq_weddings_id_organization_id UNIQUE (id, organization_id)
);

CREATE TABLE IF NOT EXISTS wedding_guests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    wedding_id uuid NOT NULL,
    first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name text NOT NULL DEFAULT '' CHECK (length(last_name) <= 100),
    side text NOT NULL DEFAULT 'both' CHECK (side IN ('partner_1', 'partner_2', 'both')),
    relationship text CHECK (relationship IS NULL OR length(relationship) <= 100),
    email text CHECK (email IS NULL OR position('@' IN email) > 1),
    rsvp_status text NOT NULL DEFAULT 'pending' CHECK (rsvp_status IN ('pending', 'attending', 'declined')),
    -- Photographers plan seated shots and short sessions around guests who need help.
    needs_assistance boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_wedding_guests_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE,
    -- Members reference (id, wedding_id, organization_id): a guest can only join groups of their own wedding.
    CONSTRAINT uq_wedding_guests_id_wedding_id_organization_id UNIQUE (id, wedding_id, organization_id)
);

CREATE TABLE IF NOT EXISTS photo_groups (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    wedding_id uuid NOT NULL,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description text CHECK (description IS NULL OR length(description) <= 2000),
    category text NOT NULL DEFAULT 'family'
        CHECK (category IN ('couple', 'family', 'bridal_party', 'friends', 'children', 'vendors', 'other')),
    location text CHECK (location IS NULL OR length(location) <= 200),
    scheduled_start timestamptz,
    scheduled_end timestamptz,
    priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    sort_order integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN 0 AND 10000),
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'completed', 'skipped')),
    photographer_notes text CHECK (photographer_notes IS NULL OR length(photographer_notes) <= 2000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- A half-scheduled group can't be checked for overlaps, so both ends are set together.
    CONSTRAINT ck_photo_groups_schedule CHECK (
        (scheduled_start IS NULL) = (scheduled_end IS NULL)
        AND (scheduled_end IS NULL OR scheduled_end > scheduled_start)
    ),
    CONSTRAINT fk_photo_groups_wedding FOREIGN KEY (wedding_id, organization_id)
        REFERENCES weddings (id, organization_id) ON DELETE CASCADE,
    CONSTRAINT uq_photo_groups_id_wedding_id_organization_id UNIQUE (id, wedding_id, organization_id)
);

CREATE TABLE IF NOT EXISTS photo_group_members (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Carried on the member so both foreign keys below can demand the same wedding.
    wedding_id uuid NOT NULL,
    photo_group_id uuid NOT NULL,
    guest_id uuid NOT NULL,
    is_required boolean NOT NULL DEFAULT true,
    added_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fk_photo_group_members_group FOREIGN KEY (photo_group_id, wedding_id, organization_id)
        REFERENCES photo_groups (id, wedding_id, organization_id) ON DELETE CASCADE,
    CONSTRAINT fk_photo_group_members_guest FOREIGN KEY (guest_id, wedding_id, organization_id)
        REFERENCES wedding_guests (id, wedding_id, organization_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS ix_weddings_organization_id_wedding_date ON weddings (organization_id, wedding_date);

CREATE INDEX IF NOT EXISTS ix_wedding_guests_organization_id ON wedding_guests (organization_id);
CREATE INDEX IF NOT EXISTS ix_wedding_guests_wedding_id_organization_id ON wedding_guests (wedding_id, organization_id);

CREATE INDEX IF NOT EXISTS ix_photo_groups_organization_id ON photo_groups (organization_id);
CREATE INDEX IF NOT EXISTS ix_photo_groups_wedding_id_organization_id_scheduled_start
    ON photo_groups (wedding_id, organization_id, scheduled_start);

CREATE INDEX IF NOT EXISTS ix_photo_group_members_organization_id ON photo_group_members (organization_id);
-- Unique as well: a guest is in a group once; leads with the group for its foreign key.
CREATE UNIQUE INDEX IF NOT EXISTS ix_photo_group_members_photo_group_id_guest_id_organization_id
    ON photo_group_members (photo_group_id, guest_id, organization_id);
CREATE INDEX IF NOT EXISTS ix_photo_group_members_guest_id ON photo_group_members (guest_id);
-- Conflict detection reads one wedding's members grouped by guest.
CREATE INDEX IF NOT EXISTS ix_photo_group_members_wedding_id_guest_id ON photo_group_members (wedding_id, guest_id);

DROP TRIGGER IF EXISTS trg_weddings_updated_at ON weddings;
CREATE TRIGGER trg_weddings_updated_at BEFORE UPDATE ON weddings
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_wedding_guests_updated_at ON wedding_guests;
CREATE TRIGGER trg_wedding_guests_updated_at BEFORE UPDATE ON wedding_guests
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_photo_groups_updated_at ON photo_groups;
CREATE TRIGGER trg_photo_groups_updated_at BEFORE UPDATE ON photo_groups
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
DROP TRIGGER IF EXISTS trg_photo_group_members_updated_at ON photo_group_members;
CREATE TRIGGER trg_photo_group_members_updated_at BEFORE UPDATE ON photo_group_members
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- A guest in two groups whose times overlap is a conflict; back-to-back groups are not.
-- Each pair is reported once, the earlier group first. Skipped groups are ignored because the
-- photographer has already dropped them. Runs as the caller, so RLS limits it to the caller's tenant.
CREATE OR REPLACE FUNCTION detect_photo_group_conflicts(p_wedding_id uuid)
RETURNS TABLE (
    guest_id uuid,
    guest_name text,
    photo_group_id uuid,
    photo_group_name text,
    scheduled_start timestamptz,
    scheduled_end timestamptz,
    conflicting_group_id uuid,
    conflicting_group_name text,
    conflicting_start timestamptz,
    conflicting_end timestamptz,
    overlap_minutes integer
)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT g.id,
           btrim(g.first_name || ' ' || g.last_name),
           a.id, a.name, a.scheduled_start, a.scheduled_end,
           b.id, b.name, b.scheduled_start, b.scheduled_end,
           ceil(extract(epoch FROM least(a.scheduled_end, b.scheduled_end)
                                 - greatest(a.scheduled_start, b.scheduled_start)) / 60)::integer
    FROM photo_group_members ma
    JOIN photo_group_members mb
      ON mb.wedding_id = ma.wedding_id
     AND mb.guest_id = ma.guest_id
     AND mb.organization_id = ma.organization_id
     AND mb.photo_group_id <> ma.photo_group_id
    JOIN photo_groups a ON a.id = ma.photo_group_id AND a.organization_id = ma.organization_id
    JOIN photo_groups b ON b.id = mb.photo_group_id AND b.organization_id = mb.organization_id
    JOIN wedding_guests g ON g.id = ma.guest_id AND g.organization_id = ma.organization_id
    WHERE ma.wedding_id = p_wedding_id
      AND a.status <> 'skipped'
      AND b.status <> 'skipped'
      AND a.scheduled_start < b.scheduled_end
      AND b.scheduled_start < a.scheduled_end
      AND (a.scheduled_start, a.id) < (b.scheduled_start, b.id)
    ORDER BY a.scheduled_start, g.last_name, g.first_name, b.scheduled_start
$$;

ALTER TABLE weddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE wedding_guests ENABLE ROW LEVEL SECURITY;
ALTER TABLE photo_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE photo_group_members ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS weddings_tenant_isolation ON weddings;
CREATE POLICY weddings_tenant_isolation ON weddings FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS wedding_guests_tenant_isolation ON wedding_guests;
CREATE POLICY wedding_guests_tenant_isolation ON wedding_guests FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS photo_groups_tenant_isolation ON photo_groups;
CREATE POLICY photo_groups_tenant_isolation ON photo_groups FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));
DROP POLICY IF EXISTS photo_group_members_tenant_isolation ON photo_group_members;
CREATE POLICY photo_group_members_tenant_isolation ON photo_group_members FOR ALL TO wedsync_user
    USING (organization_id = (SELECT app.current_organization_id()))
    WITH CHECK (organization_id = (SELECT app.current_organization_id()));

GRANT SELECT, INSERT, UPDATE, DELETE ON weddings TO wedsync_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON wedding_guests TO wedsync_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON photo_groups TO wedsync_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON photo_group_members TO wedsync_user;

REVOKE EXECUTE ON FUNCTION detect_photo_group_conflicts(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION detect_photo_group_conflicts(uuid) TO wedsync_user;
