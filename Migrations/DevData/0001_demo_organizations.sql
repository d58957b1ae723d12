-- Development demo data: three organizations and a user of every role.
-- Fixed ids so the token command and the README can name them; idempotent by ON CONFLICT.
-- created_at lies 90 days back so the demo users pass the referral fraud rule on account age.
INSERT INTO organizations (id, name, slug, created_at) VALUES
    ('11111111-1111-4111-8111-111111111111', 'Evergreen Photography', 'evergreen-photography', now() - interval '90 days'),
    ('22222222-2222-4222-8222-222222222222', 'Lakeside Manor Venue', 'lakeside-manor', now() - interval '90 days'),
    ('33333333-3333-4333-8333-333333333333', 'WedSync Operations', 'wedsync-operations', now() - interval '90 days')
ON CONFLICT (id) DO NOTHING;

INSERT INTO user_profiles (user_id, organization_id, role, email, display_name, created_at) VALUES
    ('a1111111-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'OWNER', 'owner@evergreen.test', 'Olivia Owner', now() - interval '90 days'),
    ('a1111111-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'ADMIN', 'admin@evergreen.test', 'Adam Admin', now() - interval '90 days'),
    ('a1111111-0000-4000-8000-000000000003', '11111111-1111-4111-8111-111111111111', 'MEMBER', 'member@evergreen.test', 'Mia Member', now() - interval '90 days'),
    ('a1111111-0000-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111', 'VIEWER', 'viewer@evergreen.test', 'Victor Viewer', now() - interval '90 days'),
    ('b2222222-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'OWNER', 'owner@lakeside.test', 'Lara Lakeside', now() - interval '90 days'),
    ('b2222222-0000-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', 'MEMBER', 'member@lakeside.test', 'Liam Lakeside', now() - interval '90 days'),
    ('c3333333-0000-4000-8000-000000000001', '33333333-3333-4333-8333-333333333333', 'OWNER', 'ops@wedsync.test', 'Pat Platform', now() - interval '90 days')
ON CONFLICT (user_id) DO NOTHING;
